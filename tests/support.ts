// Start the built apps as child processes (as `npm start` does) for tests.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "..");

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function launch(
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

/** Starts apps/<app> as `npm start` does: its front server, dist/server.js, on `port`. */
export function launchApp(
  app: "web" | "admin",
  port: number,
  env: Record<string, string | undefined> = {},
): Proc {
  const dir = path.join(root, "apps", app);
  return launch(process.execPath, [path.join(dir, "dist/server.js")], dir, {
    PORT: String(port),
    ...env,
  });
}

/** Resolves with the first HTTP status below 500, or rejects when the process exits first. */
export async function firstAnswer(url: string, proc: Proc, timeoutMs = 45_000): Promise<Response> {
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
