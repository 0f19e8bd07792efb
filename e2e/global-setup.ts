// Starts what the browser talks to, as `npm start` would but on test ports and
// the test stores: the built web app, the built admin console and two
// realtime nodes (A is the one the web app hands out; tests can steer a
// browser to B, or to nginx in front of A, B and a third node C, which
// tests/scale-out.spec.ts starts itself). Returns the teardown.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
export const PORTS = {
  web: 3100,
  admin: 3101,
  realtimeA: 4100,
  realtimeB: 4101,
  // scale-out.spec.ts: node C (and its internal port) and nginx in front of A, B and C.
  realtimeC: 4102,
  realtimeCInternal: 4112,
  realtimeNginx: 4103,
};

async function waitFor(url: string, proc: ChildProcess, name: string, output: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited early:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not answer at ${url}:\n${output()}`);
}

function launch(
  name: string,
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
) {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  child.stderr?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  return { name, child, output: () => out };
}

export default async function globalSetup() {
  const realtimeUrl = `http://127.0.0.1:${PORTS.realtimeA}`;
  const webUrl = `http://127.0.0.1:${PORTS.web}`;
  const adminUrl = `http://127.0.0.1:${PORTS.admin}`;
  const procs = [
    launch("realtime A", process.execPath, [path.join(root, "apps/realtime/dist/index.js")], root, {
      REALTIME_PORT: String(PORTS.realtimeA),
      WEB_URL: webUrl,
    }),
    launch("realtime B", process.execPath, [path.join(root, "apps/realtime/dist/index.js")], root, {
      REALTIME_PORT: String(PORTS.realtimeB),
      WEB_URL: webUrl,
    }),
    launch(
      "web",
      process.execPath,
      [path.join(root, "apps/web/dist/server.js")],
      path.join(root, "apps/web"),
      {
        PORT: String(PORTS.web),
        WEB_URL: webUrl,
        REALTIME_PUBLIC_URL: realtimeUrl,
        // Some browsers are steered to node B directly, or to nginx: the CSP must let them connect.
        CSP_CONNECT_ORIGINS: [PORTS.realtimeB, PORTS.realtimeNginx]
          .map((port) => `http://127.0.0.1:${port}`)
          .join(","),
        // Every browser here shares one IP; the per-IP sign-up limit is tested in apps/web.
        AUTH_SIGNUP_LIMIT: "10000",
        AUTH_TOKEN_LIMIT: "10000",
      },
    ),
    launch(
      "admin",
      process.execPath,
      [path.join(root, "apps/admin/dist/server.js")],
      path.join(root, "apps/admin"),
      {
        PORT: String(PORTS.admin),
        WEB_URL: webUrl,
        // The console's browsers say who they are in X-Forwarded-For (see admin.spec.ts).
        TRUSTED_PROXIES: "127.0.0.1/32,::1/128",
      },
    ),
  ];
  try {
    await Promise.all([
      waitFor(`${realtimeUrl}/healthz`, procs[0]!.child, "realtime A", procs[0]!.output),
      waitFor(
        `http://127.0.0.1:${PORTS.realtimeB}/healthz`,
        procs[1]!.child,
        "realtime B",
        procs[1]!.output,
      ),
      waitFor(`${webUrl}/api/healthz`, procs[2]!.child, "web", procs[2]!.output),
      waitFor(`${adminUrl}/api/healthz`, procs[3]!.child, "admin", procs[3]!.output),
    ]);
  } catch (err) {
    for (const p of procs) p.child.kill("SIGKILL");
    throw err;
  }
  return async () => {
    for (const p of procs) p.child.kill("SIGTERM");
    await Promise.all(
      procs.map((p) =>
        p.child.exitCode !== null
          ? Promise.resolve()
          : new Promise<void>((r) => p.child.once("exit", () => r())),
      ),
    );
  };
}
