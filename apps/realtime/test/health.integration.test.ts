import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEALTH_TIMEOUT_MS } from "@relay/core";
import { startTcpProxy, type TcpProxy } from "@relay/tooling/tcp-proxy";
import { env, startNode, type TestNode } from "./helpers";

async function healthz(node: TestNode) {
  const res = await fetch(`${node.url}/healthz`);
  return {
    status: res.status,
    body: (await res.json()) as {
      status: string;
      dependencies: Record<string, { status: string; latencyMs: number; error?: string }>;
    },
  };
}

/** Poll /healthz until `predicate` holds (the event we wait for is a state change on the server). */
async function waitForHealth(
  node: TestNode,
  predicate: (h: Awaited<ReturnType<typeof healthz>>) => boolean,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last = await healthz(node);
  while (!predicate(last)) {
    if (Date.now() > deadline)
      throw new Error(`health never matched; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await healthz(node);
  }
  return last;
}

describe("GET /healthz and /metrics", () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startNode();
  });
  afterAll(() => node.close());

  it("reports every store up with a latency", async () => {
    const { status, body } = await healthz(node);
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
    for (const name of ["postgres", "redis", "cassandra"]) {
      expect(body.dependencies[name]).toMatchObject({ status: "up" });
      // A measured round trip: above zero and inside the probe's time limit.
      expect(body.dependencies[name]!.latencyMs).toBeGreaterThan(0);
      expect(body.dependencies[name]!.latencyMs).toBeLessThan(HEALTH_TIMEOUT_MS);
    }
  });

  it("serves Prometheus metrics on the internal port only", async () => {
    await healthz(node);
    const hidden = await fetch(`${node.url}/metrics`);
    expect([hidden.status, await hidden.json()]).toEqual([
      404,
      { ok: false, error: { code: "NOT_FOUND", message: "no such route" } },
    ]);
    const res = await fetch(`${node.internalUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain("relay_connected_sockets");
    expect(text).toMatch(/relay_dependency_up\{dependency="cassandra"\} 1/);
  });

  it("answers unknown routes with the error envelope, without echoing the path", async () => {
    const res = await fetch(`${node.url}/nope-%3Cscript%3E`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: "NOT_FOUND", message: "no such route" },
    });
  });

  it("switches protocols only for websocket: Upgrade: h2c gets a plain answer", async () => {
    const { port } = new URL(node.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: "127.0.0.1",
        port,
        path: "/healthz",
        agent: false,
        headers: {
          connection: "Upgrade, HTTP2-Settings",
          upgrade: "h2c",
          "http2-settings": "AAMAAABkAAQAoAAAAAIAAAAA",
        },
      });
      req.on("upgrade", (res) => reject(new Error(`switched protocols: ${res.statusCode}`)));
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: "ok" });
  });

  it("answers malformed %-encoding in a path with 400, not 500", async () => {
    const res = await fetch(`${node.url}/v1/conversations/%E0%A4%A/messages`, {
      headers: { authorization: "Bearer x" },
    });
    expect(res.status).toBe(401); // authentication first…
    const { createUser } = await import("./fixtures");
    const user = await createUser();
    const bad = await fetch(`${node.url}/v1/conversations/%E0%A4%A/messages`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect([bad.status, await bad.json()]).toEqual([
      400,
      { ok: false, error: { code: "INVALID_PAYLOAD", message: "path: malformed %-encoding" } },
    ]);
  });
});

describe("a store going down and coming back", () => {
  let proxy: TcpProxy;
  let node: TestNode;
  beforeAll(async () => {
    const [host, port] = env.CASSANDRA_CONTACT_POINTS.split(",")[0]!.split(":");
    proxy = await startTcpProxy({ host: host!, port: Number(port ?? 9042) });
    node = await startNode({ CASSANDRA_CONTACT_POINTS: `127.0.0.1:${proxy.port}` });
  });
  afterAll(async () => {
    await node.close();
    await proxy.close();
  });

  it("turns 503 naming Cassandra within seconds, stays up, and recovers", async () => {
    await waitForHealth(node, (h) => h.status === 200);

    const t0 = Date.now();
    proxy.cut();
    const down = await waitForHealth(node, (h) => h.status === 503);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(down.body.status).toBe("degraded");
    expect(down.body.dependencies.cassandra!.status).toBe("down");
    expect(down.body.dependencies.cassandra!.error).toMatch(/^NoHostAvailableError: /);
    expect(down.body.dependencies.postgres!.status).toBe("up");
    expect(down.body.dependencies.redis!.status).toBe("up");

    await proxy.restore();
    const up = await waitForHealth(node, (h) => h.status === 200);
    expect(up.body.dependencies.cassandra!.status).toBe("up");
  });

  it("names Redis when Redis is unreachable", async () => {
    const redisProxy = await startTcpProxy({
      host: new URL(env.REDIS_URL).hostname,
      port: Number(new URL(env.REDIS_URL).port || 6379),
    });
    const url = new URL(env.REDIS_URL);
    url.port = String(redisProxy.port);
    const n = await startNode({ REDIS_URL: url.toString() });
    try {
      await waitForHealth(n, (h) => h.status === 200);
      redisProxy.cut();
      const down = await waitForHealth(n, (h) => h.status === 503);
      expect(down.body.dependencies.redis!.status).toBe("down");
      expect(down.body.dependencies.cassandra!.status).toBe("up");
      await redisProxy.restore();
      await waitForHealth(n, (h) => h.status === 200);
    } finally {
      await n.close();
      await redisProxy.close();
    }
  });
});
