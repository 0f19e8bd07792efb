// Small process/network helpers for the project's scripts (no dependencies).
import { spawnSync } from "node:child_process";
import net from "node:net";

export const log = (msg) => process.stdout.write(`[relay] ${msg}\n`);

export class ProvisionError extends Error {}

/** Run a command; returns {status, stdout, stderr}. Never throws on non-zero exit. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...opts });
  if (r.error && r.error.code === "ENOENT")
    return { status: 127, stdout: "", stderr: `${cmd}: not found` };
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Run a command and throw a ProvisionError naming it when it fails. */
export function must(cmd, args, what, opts = {}) {
  const r = run(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  if (r.status !== 0) {
    throw new ProvisionError(
      `${what} failed (${cmd} ${args.join(" ")}):\n${(r.stderr || r.stdout).trim()}`,
    );
  }
  return r.stdout;
}

export const has = (cmd) => run("sh", ["-c", `command -v ${cmd}`]).status === 0;

export const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

let aptUpdated = false;
/** Install Debian packages (only on Debian/Ubuntu, only as root or with sudo). */
export function aptInstall(pkgs, why) {
  if (!has("apt-get")) {
    throw new ProvisionError(
      `${why}: install ${pkgs.join(", ")} with your system's package manager`,
    );
  }
  const sudo = isRoot() ? [] : ["sudo", "-n"];
  const exec = (args) =>
    must(
      sudo[0] ?? args[0],
      sudo.length ? [...sudo.slice(1), ...args] : args.slice(1),
      `apt (${why})`,
      {
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      },
    );
  log(`installing ${pkgs.join(" ")} with apt-get (${why})…`);
  if (!aptUpdated) {
    exec(["apt-get", "update", "-q"]);
    aptUpdated = true;
  }
  exec(["apt-get", "install", "-y", "-q", "--no-install-recommends", ...pkgs]);
}

/** Resolve true when a TCP connection to host:port succeeds within timeoutMs. */
export function tcpOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `probe` until it resolves truthy or `timeoutMs` passes; then throw an
 * error naming the service and the last failure reason.
 */
export async function waitFor(name, probe, timeoutMs, { intervalMs = 500, hint = "" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    try {
      const ok = await probe();
      if (ok) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new ProvisionError(
        `${name} was not ready after ${Math.round(timeoutMs / 1000)} s (last error: ${last})${hint ? `\n${hint}` : ""}`,
      );
    }
    await sleep(intervalMs);
  }
}
