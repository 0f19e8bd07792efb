// The built web app's front door (src/proxy.ts → @relay/ui/edge), as the
// outside probe met it: requests no route can answer get the contract's error
// envelope (never a 500 or an empty 405), sign-in callback URLs stay on the
// site, and every page carries a nonce-based CSP whose nonce is on its scripts.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAnswer, freePort, launch, next, root, type Proc } from "./support";

let web = "";
let proc: Proc;
beforeAll(async () => {
  const port = await freePort();
  web = `http://127.0.0.1:${port}`;
  proc = launch(next, ["start", "-p", String(port)], path.join(root, "apps/web"), {
    REALTIME_PUBLIC_URL: "http://127.0.0.1:4999",
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
