// The built apps, started the way `npm start` starts them: each serves, and
// each refuses to start with a bad environment, naming the variable.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { firstAnswer, freePort, launch, launchApp, root, type Proc } from "./support";

const running: Proc[] = [];
afterAll(async () => {
  for (const p of running) p.child.kill("SIGTERM");
  await Promise.all(running.map((p) => p.exited));
});

describe.each([
  {
    app: "web" as const,
    bad: { AUTH_SECRET: "" },
    problem: "AUTH_SECRET: required",
    marker: "Relay",
  },
  {
    app: "admin" as const,
    bad: { TRUSTED_PROXIES: "10.0.0.0/8,10.0.0.0/33" },
    problem: "TRUSTED_PROXIES.1: expected an IP address or CIDR",
    marker: "Moderation console",
  },
])("apps/$app (node dist/server.js)", ({ app, bad, problem, marker }) => {
  it("serves its home page and a health route with security headers", async () => {
    const port = await freePort();
    const proc = launchApp(app, port, {});
    running.push(proc);
    const res = await firstAnswer(`http://127.0.0.1:${port}/`, proc);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain(marker);
    const health = await fetch(`http://127.0.0.1:${port}/api/healthz`);
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it(`refuses to start with a bad environment (${problem}), naming the variable`, async () => {
    const port = await freePort();
    const proc = launchApp(app, port, bad);
    const code = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toContain(problem);
  });
});

describe("apps/realtime (node dist/index.js)", () => {
  it("refuses to start with a bad variable, naming it and not its value", async () => {
    const proc = launch(process.execPath, [path.join(root, "apps/realtime/dist/index.js")], root, {
      JWT_SECRET: "short-secret-value",
      REDIS_URL: "",
    });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain("JWT_SECRET");
    expect(proc.output()).toContain("REDIS_URL: required");
    expect(proc.output()).not.toContain("short-secret-value");
  });

  it("serves /healthz with every store up, and /metrics only on its internal port", async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const proc = launch(process.execPath, [path.join(root, "apps/realtime/dist/index.js")], root, {
      REALTIME_PORT: String(port),
      REALTIME_METRICS_PORT: String(metricsPort),
    });
    running.push(proc);
    const res = await firstAnswer(`http://127.0.0.1:${port}/healthz`, proc);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      dependencies: {
        postgres: { status: "up" },
        redis: { status: "up" },
        cassandra: { status: "up" },
      },
    });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("relay_connected_sockets");
  });
});
