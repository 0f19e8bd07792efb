// nginx for several realtime nodes: detect → install with apt if missing
// (Debian's package, as Chromium is for the browser tests) → run it as our
// child process with a generated config in .data/nginx/<name>/
// (tooling/nginx.mjs), never the system service or /etc/nginx.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { findNginx, startNginx } from "../../tooling/nginx.mjs";
import { dataDir } from "./paths.mjs";
import { aptInstall, log, ProvisionError, sleep } from "./proc.mjs";

/** The nginx binary, installed with apt-get (non-interactive) when there is none. */
export function ensureNginx(why = "several realtime nodes run behind nginx") {
  const found = findNginx();
  if (found) return found;
  // Debian's `nginx` package (in bookworm `nginx-light` is only a wrapper
  // that adds a module). Its service is not started: the scripts run nginx
  // themselves, and Docker images forbid service starts anyway (policy-rc.d).
  aptInstall(["nginx"], why);
  const installed = findNginx();
  if (!installed)
    throw new ProvisionError(`apt-get installed nginx but no nginx binary was found (${why})`);
  return installed;
}

const balancerDir = (name) => path.join(dataDir, "nginx", name);

/**
 * A previous run's nginx that outlived its parent still holds the port (a
 * closed terminal sends SIGHUP, which kills the Node processes but only makes
 * nginx reload; or npm start was SIGKILLed): stop it, but only if its command
 * line names this very config file. `npm start` calls this before checking
 * its ports.
 */
export async function stopStaleBalancer(name = "realtime") {
  await stopStale(balancerDir(name));
}

async function stopStale(dir) {
  const pidFile = path.join(dir, "nginx.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    /* not running */
  }
  if (pid > 0 && cmdline.includes(path.join(dir, "nginx.conf"))) {
    log(`stopping the nginx a previous run left behind (pid ${pid})…`);
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await sleep(100);
  }
  rmSync(pidFile, { force: true });
}

/**
 * nginx on `port` in front of `upstreams` (the realtime nodes), for
 * `npm start`: every interface, X-Forwarded-For replaced by the client's
 * address (nginx is the edge here), one worker per core, errors and warnings
 * printed through `onLog`. Returns tooling/nginx.mjs's handle (reload, stop).
 */
export async function startRealtimeBalancer({ port, upstreams, name = "realtime", onLog }) {
  ensureNginx();
  const dir = balancerDir(name);
  await stopStale(dir);
  try {
    return await startNginx({
      dir,
      port: Number(port),
      upstreams,
      forwardedFor: "replace",
      workerProcesses: "auto",
      accessLog: true,
      onLog,
    });
  } catch (err) {
    throw new ProvisionError(`nginx (${dir}) did not start: ${err.message}`);
  }
}
