// The built apps, started the way `npm start` starts them: each serves, and
// each refuses to start with a bad environment, naming the variable.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const next = path.join(root, "node_modules/.bin/next");

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function launch(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
): Proc {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

/** Resolves with the first HTTP status below 500, or rejects when the process exits first. */
async function firstAnswer(url: string, proc: Proc, timeoutMs = 45_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`process exited before answering:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return res;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer:\n${proc.output()}`);
}

const running: Proc[] = [];
afterAll(async () => {
  for (const p of running) p.child.kill("SIGTERM");
  await Promise.all(running.map((p) => p.exited));
});

describe.each([
  { app: "web", missing: "AUTH_SECRET", marker: "Relay" },
  { app: "admin", missing: "AUTH_SECRET", marker: "Moderation console" },
])("apps/$app (next start)", ({ app, missing, marker }) => {
  const cwd = path.join(root, "apps", app);

  it("serves its home page and a health route with security headers", async () => {
    const port = await freePort();
    const proc = launch(next, ["start", "-p", String(port)], cwd, {});
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

  it(`refuses to start without ${missing}, naming it`, async () => {
    const port = await freePort();
    const proc = launch(next, ["start", "-p", String(port)], cwd, { [missing]: "" });
    const code = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toContain(`${missing}: required`);
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

  it("serves /healthz with every store up", async () => {
    const port = await freePort();
    const proc = launch(process.execPath, [path.join(root, "apps/realtime/dist/index.js")], root, {
      REALTIME_PORT: String(port),
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
  });
});
