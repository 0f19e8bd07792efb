// nginx in front of realtime nodes, as a child process with a generated
// configuration in a directory of ours — never the system's /etc/nginx or its
// service. `npm start` (scripts/lib/nginx.mjs, which also installs nginx with
// apt when it is missing), the integration tests
// (apps/realtime/test/helpers.ts) and the browser tests (e2e/) all run it
// through this module, so they test the configuration operators get.
//
// nginx runs `nginx -c <dir>/nginx.conf -p <dir>/ -e stderr` with
// `daemon off`: its pid file, temp paths and (optional) access log are in
// <dir>, its error log goes to the parent through stderr at `notice`, which
// is also how we know it is ready ("start worker process") and that a reload
// took effect. Node builtins only: plain `node` scripts import it too.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Socket.IO's liveness window on Relay's nodes: pingInterval 20 s +
 * pingTimeout 20 s (apps/realtime/src/app.ts). A websocket that is healthy
 * carries a ping at least every 20 s; the proxy must not cut a connection
 * that was silent for less than this.
 */
export const SOCKET_IO_SILENCE_S = 40;

/** Where Debian and source builds put nginx when it is not on PATH (/usr/sbin is not, for most users). */
const CANDIDATES = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"];

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The nginx binary: $NGINX_BIN, else `nginx` on PATH, else the usual sbin paths; null when there is none. */
export function findNginx(env = process.env) {
  if (env.NGINX_BIN) return executable(env.NGINX_BIN) ? env.NGINX_BIN : null;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir && executable(path.join(dir, "nginx"))) return path.join(dir, "nginx");
  }
  return CANDIDATES.find(executable) ?? null;
}

export class NginxMissingError extends Error {
  constructor() {
    super(
      "nginx is not installed (looked for $NGINX_BIN, `nginx` on PATH and " +
        `${CANDIDATES.join(", ")}). \`npm test\` and \`REALTIME_NODES=3 npm start\` install ` +
        "Debian's package with apt-get (scripts/lib/nginx.mjs); elsewhere install nginx " +
        "(e.g. `apt-get install nginx`) or set NGINX_BIN.",
    );
    this.name = "NginxMissingError";
  }
}

/** "http://127.0.0.1:4001" or "127.0.0.1:4001" → "127.0.0.1:4001". */
function hostPort(upstream) {
  const text = String(upstream);
  if (/^[a-z]+:\/\//i.test(text)) {
    const u = new URL(text);
    // WHATWG URL keeps an IPv6 hostname in brackets ("[::1]"), as nginx wants it.
    return `${u.hostname}:${u.port || 80}`;
  }
  if (!/^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/i.test(text))
    throw new Error(`not an upstream host:port or URL: ${JSON.stringify(text)}`);
  return text;
}

const hasLoopbackIpv6 = () =>
  Object.values(os.networkInterfaces())
    .flat()
    .some((i) => i?.internal && i.family === "IPv6" && i.address === "::1");

/**
 * The nginx.conf text. Options:
 * - dir: absolute runtime directory (pid file, temp paths, access log);
 * - port, host: where nginx listens (host unset: every IPv4 interface, plus
 *   every IPv6 one when the machine has IPv6 — as a realtime node binds);
 * - upstreams: the nodes, "host:port" or URLs;
 * - forwardedFor: "replace" (default; nginx is the edge: X-Forwarded-For is
 *   the TCP peer, whatever the client sent) or "append" (a load balancer in
 *   front already set it: nginx appends its peer, as $proxy_add_x_forwarded_for);
 * - workerProcesses (default 1; "auto" = one per core), workerConnections
 *   (default 4096; a proxied socket holds two), readTimeoutS (default 75,
 *   must exceed SOCKET_IO_SILENCE_S), shutdownTimeoutS (default 5: how long
 *   a reload or graceful stop lets old workers keep their websockets),
 *   accessLog (default false).
 */
export function renderNginxConfig(opts) {
  const {
    dir,
    port,
    host,
    upstreams,
    forwardedFor = "replace",
    workerProcesses = 1,
    workerConnections = 4096,
    readTimeoutS = 75,
    shutdownTimeoutS = 5,
    accessLog = false,
  } = opts;
  if (!path.isAbsolute(dir ?? "")) throw new Error(`nginx: dir must be absolute (got ${dir})`);
  if (!Array.isArray(upstreams) || upstreams.length === 0)
    throw new Error("nginx: at least one upstream is needed");
  if (!(readTimeoutS > SOCKET_IO_SILENCE_S))
    throw new Error(
      `nginx: readTimeoutS must exceed Socket.IO's ${SOCKET_IO_SILENCE_S} s (pingInterval + pingTimeout), or idle sockets are cut`,
    );
  if (!["replace", "append"].includes(forwardedFor))
    throw new Error(`nginx: forwardedFor is "replace" or "append" (got ${forwardedFor})`);
  const listen = host
    ? [`listen ${host.includes(":") ? `[${host}]` : host}:${port};`]
    : [`listen ${port};`, ...(hasLoopbackIpv6() ? [`listen [::]:${port} ipv6only=on;`] : [])];
  const p = (name) => path.join(dir, name);
  return `# Generated by tooling/nginx.mjs for Relay's realtime nodes (npm start rewrites
# it on every start and reload): edit the generator, not this file.
daemon off;
master_process on;
worker_processes ${workerProcesses};
pid ${p("nginx.pid")};
# The parent reads this: "start worker process" means ready (or reloaded).
error_log stderr notice;
# A reload or graceful stop lets old workers keep their websockets this long,
# then closes them; clients reconnect (through the new workers).
worker_shutdown_timeout ${shutdownTimeoutS}s;

events {
  worker_connections ${workerConnections};
}

http {
  access_log ${accessLog ? `${p("access.log")} combined` : "off"};
  server_tokens off;
  client_body_temp_path ${p("tmp/client_body")};
  proxy_temp_path ${p("tmp/proxy")};
  fastcgi_temp_path ${p("tmp/fastcgi")};
  uwsgi_temp_path ${p("tmp/uwsgi")};
  scgi_temp_path ${p("tmp/scgi")};

  # A websocket upgrade is passed on as one; other requests (/healthz, the
  # history route) go over kept-alive upstream connections.
  map $http_upgrade $connection_upgrade {
    default upgrade;
    "" "";
  }

  # Round robin, no stickiness: clients use the websocket transport only
  # (no long-polling), so a Socket.IO session is one TCP connection to one
  # node. A node that refuses a connection is skipped for 5 s.
  upstream realtime {
${upstreams.map((u) => `    server ${hostPort(u)} max_fails=1 fail_timeout=5s;`).join("\n")}
    keepalive 16;
  }

  server {
${listen.map((l) => `    ${l}`).join("\n")}

    location / {
      proxy_pass http://realtime;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      # The nodes trust this only from TRUSTED_PROXIES (packages/core/src/http/client-ip.ts).
      proxy_set_header X-Forwarded-For ${forwardedFor === "replace" ? "$remote_addr" : "$proxy_add_x_forwarded_for"};
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_connect_timeout 2s;
      # Longer than a healthy socket's silence (pingInterval + pingTimeout = ${SOCKET_IO_SILENCE_S} s).
      proxy_read_timeout ${readTimeoutS}s;
      proxy_send_timeout ${readTimeoutS}s;
      # A handshake to a node that is down (refused, timed out) goes to the next one.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries ${upstreams.length};
      proxy_next_upstream_timeout 5s;
    }
  }
}
`;
}

/** A port that was free a moment ago. */
async function freePort(host) {
  const srv = net.createServer();
  await new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, host ?? "127.0.0.1", resolve);
  });
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function writeConfig(opts) {
  mkdirSync(path.join(opts.dir, "tmp"), { recursive: true });
  const file = path.join(opts.dir, "nginx.conf");
  writeFileSync(file, renderNginxConfig(opts));
  return file;
}

/** `nginx -t`: a bad configuration is reported with nginx's own words, before any signal. */
function testConfig(bin, file, dir) {
  const r = spawnSync(bin, ["-t", "-q", "-c", file, "-p", `${dir}/`, "-e", "stderr"], {
    encoding: "utf8",
  });
  if (r.status !== 0)
    throw new Error(`nginx rejected ${file}:\n${(r.stderr || r.stdout || String(r.error)).trim()}`);
}

const LEVEL = /\[(debug|info|notice|warn|error|crit|alert|emerg)\]/;

/**
 * Every nginx started here that has not exited: killed when this process
 * exits without having stopped them (a test worker torn down before its
 * afterAll, a crashed script), so none outlives its owner.
 */
const running = new Set();
process.once("exit", () => {
  for (const child of running) child.kill("SIGTERM");
});

/**
 * Start nginx; resolves once its workers run. `opts` as renderNginxConfig
 * (port unset or 0: a free one is picked, and picked again if another process
 * takes it first), plus `onLog(line, level)` for every line nginx writes.
 * Returns { url, port, pid, child, configFile, output(), reload(upstreams?),
 * stop(mode), exited }.
 */
export async function startNginx(opts) {
  const bin = findNginx(opts.env ?? process.env);
  if (!bin) throw new NginxMissingError();
  const attempts = opts.port ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await freePort(opts.host));
    try {
      return await launch(bin, { ...opts, port });
    } catch (err) {
      if (attempt >= attempts || !/Address already in use/.test(String(err))) throw err;
    }
  }
}

async function launch(bin, opts) {
  let current = { ...opts };
  const configFile = writeConfig(current);
  testConfig(bin, configFile, current.dir);
  const child = spawn(bin, ["-c", configFile, "-p", `${current.dir}/`, "-e", "stderr"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = [];
  const waiters = new Set();
  /** Pids of the workers that accept connections now (from the master's "start worker process <pid>"). */
  let workers = new Set();
  let buffered = "";
  const onData = (chunk) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (lines.length > 2000) lines.splice(0, lines.length - 2000);
      const started = /start worker process (\d+)/.exec(line);
      if (started) workers.add(started[1]);
      opts.onLog?.(line, LEVEL.exec(line)?.[1] ?? "notice");
      for (const w of [...waiters]) w(line);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  running.add(child);
  const exited = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const output = () => lines.join("\n");

  /**
   * Resolve once `seen(line)` returns true for a line from now on; reject if
   * nginx exits first or after `timeoutMs`.
   */
  const until = (seen, what, timeoutMs = 15_000) =>
    new Promise((resolve, reject) => {
      const done = (fn) => {
        clearTimeout(timer);
        waiters.delete(waiter);
        fn();
      };
      const waiter = (line) => {
        if (seen(line)) done(() => resolve(line));
      };
      const timer = setTimeout(
        () =>
          done(() => reject(new Error(`nginx: no ${what} within ${timeoutMs} ms:\n${output()}`))),
        timeoutMs,
      );
      waiters.add(waiter);
      void exited.then(({ code, signal }) =>
        done(() =>
          reject(new Error(`nginx exited (${signal ?? code}) before ${what}:\n${output()}`)),
        ),
      );
    });

  try {
    await until((line) => /start worker process \d+/.test(line), "worker process");
  } catch (err) {
    child.kill("SIGKILL"); // never leave a half-started nginx behind
    throw err;
  }
  const { port } = current;
  const urlHost = !current.host || current.host === "0.0.0.0" ? "127.0.0.1" : current.host;
  return {
    url: `http://${urlHost.includes(":") ? `[${urlHost}]` : urlHost}:${port}`,
    port,
    pid: child.pid,
    child,
    configFile,
    exited,
    output,
    /**
     * Graceful reload (SIGHUP), optionally with another list of nodes: the
     * new config is checked first; resolves once new workers run and every
     * old one has stopped accepting ("gracefully shutting down": it closed
     * its listening sockets), so the next connection gets the new config.
     * Old workers keep their websockets for up to shutdownTimeoutS.
     */
    async reload(upstreams) {
      const next = { ...current, ...(upstreams ? { upstreams } : {}) };
      writeConfig(next);
      try {
        testConfig(bin, configFile, next.dir);
      } catch (err) {
        writeConfig(current);
        throw err;
      }
      current = next;
      const old = workers;
      workers = new Set();
      let reconfigured = false;
      const closing = new Set(old);
      const reloaded = until((line) => {
        if (/reconfiguring/.test(line)) reconfigured = true;
        const pid = /\] (\d+)#\d+: gracefully shutting down/.exec(line)?.[1];
        if (pid) closing.delete(pid);
        return reconfigured && workers.size > 0 && closing.size === 0;
      }, "reload");
      child.kill("SIGHUP");
      await reloaded;
    },
    /**
     * "graceful" (SIGQUIT: stop accepting, let workers finish, at most
     * shutdownTimeoutS) or "fast" (SIGTERM). Resolves when nginx has exited.
     */
    async stop(mode = "graceful") {
      if (child.exitCode === null && child.signalCode === null)
        child.kill(mode === "fast" ? "SIGTERM" : "SIGQUIT");
      const timer = setTimeout(
        () => child.kill("SIGKILL"),
        ((current.shutdownTimeoutS ?? 5) + 5) * 1000,
      );
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
