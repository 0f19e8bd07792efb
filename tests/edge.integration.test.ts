// The built web app's front door — its server (apps/web/server.ts →
// @relay/edge/server) and its proxy (src/proxy.ts → @relay/edge/policy) — as
// the outside probe met it: requests no route can answer get the contract's
// error envelope (never a 500 or an empty 405), `Upgrade: h2c` is not
// honoured, the client address comes from the socket unless the peer is a
// trusted proxy, sign-in callback URLs stay on the site, and every page
// carries a nonce-based CSP whose nonce is on its scripts.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAnswer, freePort, launchApp, type Proc } from "./support";

let web = "";
let port = 0;
let proc: Proc;
beforeAll(async () => {
  port = await freePort();
  web = `http://127.0.0.1:${port}`;
  proc = launchApp("web", port, {
    REALTIME_PUBLIC_URL: "http://127.0.0.1:4999",
    // Requests over IPv6 loopback come "through our proxy"; over 127.0.0.1 they do not.
    TRUSTED_PROXIES: "::1/128",
    AUTH_TOKEN_LIMIT: "3",
    // A budget of our own, not shared with other tests' sign-ins from 127.0.0.1.
    REDIS_PREFIX: `relay-edge-${randomUUID().slice(0, 8)}:`,
  });
  await firstAnswer(`${web}/api/healthz`, proc);
}, 60_000);
afterAll(async () => {
  proc.child.kill("SIGTERM");
  await proc.exited;
});

async function envelope(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/json");
  return (await res.json()) as { ok: boolean; error: { code: string; message: string } };
}

/** A raw HTTP/1.1 request (fetch refuses TRACE and strips Upgrade). */
function raw(opts: {
  method: string;
  path?: string;
  headers?: Record<string, string>;
  host?: string;
}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: opts.host ?? "127.0.0.1",
        port,
        method: opts.method,
        path: opts.path ?? "/api/healthz",
        headers: opts.headers,
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("upgrade", (res) => reject(new Error(`switched protocols: ${res.statusCode}`)));
    // A CONNECT answer comes as a "connect" event; its body follows on the socket.
    req.on("connect", (res, socket, head) => {
      let body = head.toString("utf8");
      socket.setEncoding("utf8");
      socket.on("data", (c: string) => (body += c));
      socket.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A failed password sign-in (fresh unknown e-mail: no per-account back-off), as status code. */
async function badSignIn(via: "127.0.0.1" | "[::1]", forwardedFor: string): Promise<number> {
  const res = await fetch(`http://${via}:${port}/api/v1/auth/token`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": forwardedFor,
      "x-real-ip": forwardedFor,
    },
    body: JSON.stringify({
      email: `nobody-${randomUUID()}@example.com`,
      password: "wrong-password",
    }),
  });
  return res.status;
}

const randomIp = () => `203.0.113.${Math.floor(Math.random() * 254) + 1}`;

describe("the web app's front server", () => {
  it("answers TRACE and CONNECT with 405 and the envelope, TRACK (not HTTP) with 400", async () => {
    const trace = await raw({ method: "TRACE" });
    expect([trace.status, JSON.parse(trace.body)]).toEqual([
      405,
      { ok: false, error: { code: "INVALID_PAYLOAD", message: "method TRACE is not allowed" } },
    ]);
    const connect = await raw({ method: "CONNECT", path: "example.com:443" });
    expect([connect.status, JSON.parse(connect.body)]).toEqual([
      405,
      { ok: false, error: { code: "INVALID_PAYLOAD", message: "method CONNECT is not allowed" } },
    ]);
    // Node's HTTP parser does not know TRACK: the request is malformed.
    const track = await raw({ method: "TRACK" });
    expect([track.status, JSON.parse(track.body)]).toEqual([
      400,
      { ok: false, error: { code: "INVALID_PAYLOAD", message: "malformed HTTP request" } },
    ]);
  });

  it("does not switch protocols on Upgrade: h2c (or websocket); it answers the request", async () => {
    for (const upgrade of ["h2c", "websocket"]) {
      const res = await raw({
        method: "GET",
        headers: {
          connection: "Upgrade, HTTP2-Settings",
          upgrade,
          "http2-settings": "AAMAAABkAAQAoAAAAAIAAAAA",
        },
      });
      expect(res.status, upgrade).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ status: "ok" });
    }
  });

  it("takes the client address from the socket: a rotated X-Forwarded-For buys no fresh budget", async () => {
    // The limiter's Redis connection opens on first use (before it, an
    // in-memory limiter answers): warm it up with an address of its own.
    expect(await badSignIn("[::1]", "192.0.2.99")).toBe(401);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await badSignIn("127.0.0.1", randomIp()));
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("believes X-Forwarded-For from a trusted proxy: each forwarded client has its own budget", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await badSignIn("[::1]", `198.51.100.${i + 1}`));
    expect(statuses).toEqual([401, 401, 401, 401]);
    // …and the same forwarded client is limited like any other.
    const same = [];
    for (let i = 0; i < 3; i++) same.push(await badSignIn("[::1]", "198.51.100.1"));
    expect(same).toEqual([401, 401, 429]);
  });
});

describe("the web app's edge", () => {
  it("answers malformed %-encoding in any path with 400 INVALID_PAYLOAD", async () => {
    for (const p of ["/api/v1/conversations/%E0%A4%A/leave", "/api/v1/devices/%ZZ", "/chat/%"]) {
      const res = await fetch(`${web}${p}`, { method: p.endsWith("leave") ? "POST" : "GET" });
      expect(res.status, p).toBe(400);
      expect((await envelope(res)).error.code).toBe("INVALID_PAYLOAD");
    }
  });

  it("answers a method a route lacks with 405, Allow and the envelope", async () => {
    const put = await fetch(`${web}/api/v1/conversations`, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, OPTIONS");
    expect((await envelope(put)).error.message).toBe("method PUT is not allowed here");
  });

  it("refuses a sign-in callbackUrl that leaves the site", async () => {
    for (const cb of [
      "javascript:alert(1)",
      "https://evil.example/",
      "//evil.example",
      "data:text/html,x",
    ]) {
      const res = await fetch(`${web}/api/auth/signin?callbackUrl=${encodeURIComponent(cb)}`, {
        redirect: "manual",
      });
      expect(res.status, cb).toBe(400);
      expect((await envelope(res)).error.message).toBe("callbackUrl: must be a path on this site");
    }
    const ok = await fetch(`${web}/api/auth/signin?callbackUrl=%2Fchat`, { redirect: "manual" });
    expect(ok.status).toBeLessThan(400);
  });

  it("serves pages with a per-request script nonce and no inline-script allowance", async () => {
    const [a, b] = await Promise.all([fetch(`${web}/signin`), fetch(`${web}/signin`)]);
    const csp = a.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(b.headers.get("content-security-policy")).not.toContain(`'nonce-${nonce}'`);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:4999 ws://127.0.0.1:4999");
    const html = await a.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });
});
