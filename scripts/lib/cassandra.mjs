// Cassandra from Maven Central: the `cassandra-all` jar and its runtime
// dependencies are copied into a cache outside git, then run as a single local
// node with data under .data/cassandra. See docs/operations.md.
import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import {
  aptInstall,
  has,
  log,
  must,
  run,
  sleep,
  tcpOpen,
  waitFor,
  ProvisionError,
} from "./proc.mjs";
import { cacheDir, dataDir, root } from "./paths.mjs";

export const CASSANDRA_VERSION = "5.0.6";
const confSrc = path.join(root, "scripts/cassandra");
const home = path.join(dataDir, "cassandra");
const pidFile = path.join(home, "cassandra.pid");
const logDir = path.join(home, "logs");

export function parseContactPoint(points) {
  const first = points.split(",")[0].trim();
  const [host, port] = first.split(":");
  return { host, port: Number(port || 9042) };
}

function javaMajor(javaBin) {
  const r = run(javaBin, ["-version"]);
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr + r.stdout);
  if (!m) return 0;
  return m[1] === "1" ? Number(m[2]) : Number(m[1]);
}

/** Cassandra 5.0 runs on Java 11 or 17 only. */
function findJava() {
  const candidates = [];
  if (process.env.JAVA_HOME) candidates.push(path.join(process.env.JAVA_HOME, "bin/java"));
  if (existsSync("/usr/lib/jvm")) {
    for (const d of readdirSync("/usr/lib/jvm").sort())
      if (/17|11/.test(d)) candidates.push(`/usr/lib/jvm/${d}/bin/java`);
  }
  if (has("java")) candidates.push("java");
  for (const c of candidates) {
    const v = javaMajor(c);
    if (v === 17 || v === 11) return c;
  }
  return null;
}

export function ensureJava() {
  let java = findJava();
  if (!java) {
    aptInstall(["openjdk-17-jre-headless"], "Cassandra needs Java 17");
    java = findJava();
  }
  if (!java) throw new ProvisionError("no Java 11 or 17 found for Cassandra (set JAVA_HOME)");
  return java;
}

export function ensureJars() {
  const dir = path.join(cacheDir, `cassandra-${CASSANDRA_VERSION}`);
  const lib = path.join(dir, "lib");
  if (existsSync(path.join(dir, ".complete"))) return lib;
  if (!has("mvn")) aptInstall(["maven"], "Cassandra's jars come from Maven Central");
  log(`fetching Cassandra ${CASSANDRA_VERSION} from Maven Central into ${dir}…`);
  const tmp = `${lib}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  must(
    "mvn",
    [
      "-q",
      "-B",
      "-f",
      path.join(confSrc, "pom.xml"),
      `-Dcassandra.version=${CASSANDRA_VERSION}`,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${tmp}`,
      "-DincludeScope=runtime",
    ],
    `download Cassandra ${CASSANDRA_VERSION} from Maven Central`,
  );
  rmSync(lib, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  renameSync(tmp, lib);
  writeFileSync(path.join(dir, ".complete"), `${new Date().toISOString()}\n`);
  return lib;
}

/**
 * cassandra.yaml, logback.xml and the JVM options for one node, rendered
 * from scripts/cassandra into `<dir>/conf`. Defaults: the single local node;
 * the drill passes its own address, ports, seeds and heap.
 */
export function renderConf({
  port,
  dir = home,
  address = "127.0.0.1",
  storagePort = port === 9042 ? 7000 : port + 1,
  seeds = `127.0.0.1:${storagePort}`,
  replicationForTokens = 1,
  heap,
}) {
  const conf = path.join(dir, "conf");
  mkdirSync(conf, { recursive: true });
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  const sub = (s) =>
    s
      .replaceAll("@DATA@", dir)
      .replaceAll("@PORT@", String(port))
      .replaceAll("@STORAGE_PORT@", String(storagePort))
      .replace(/^listen_address: .*$/m, `listen_address: ${address}`)
      .replace(/^rpc_address: .*$/m, `rpc_address: ${address}`)
      .replace(/- seeds: ".*"/, `- seeds: "${seeds}"`)
      .replace(
        /^allocate_tokens_for_local_replication_factor: .*$/m,
        `allocate_tokens_for_local_replication_factor: ${replicationForTokens}`,
      );
  writeFileSync(
    path.join(conf, "cassandra.yaml"),
    sub(readFileSync(path.join(confSrc, "cassandra.yaml.tmpl"), "utf8")),
  );
  writeFileSync(
    path.join(conf, "logback.xml"),
    readFileSync(path.join(confSrc, "logback.xml"), "utf8"),
  );
  const jvm = sub(readFileSync(path.join(confSrc, "jvm17.options"), "utf8"))
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => (heap && /^-Xm[sx]/.test(l) ? `${l.slice(0, 4)}${heap}` : l));
  return { conf, jvm };
}

function readPid() {
  try {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

export async function cqlReady(host, port) {
  const { default: cassandra } = await import("cassandra-driver");
  const client = new cassandra.Client({
    contactPoints: [`${host}:${port}`],
    localDataCenter: "datacenter1",
    socketOptions: { connectTimeout: 3000, readTimeout: 5000 },
  });
  try {
    await client.connect();
    await client.execute("SELECT release_version FROM system.local");
    return true;
  } finally {
    await client.shutdown().catch(() => {});
  }
}

function logTail() {
  const f = path.join(logDir, "stdout.log");
  if (!existsSync(f)) return "";
  return readFileSync(f, "utf8").split("\n").slice(-25).join("\n");
}

export async function ensureCassandra(contactPoints, { timeoutMs = 240_000 } = {}) {
  const { host, port } = parseContactPoint(contactPoints);
  if (await tcpOpen(host, port)) {
    await waitFor(`Cassandra (${host}:${port})`, () => cqlReady(host, port), 60_000);
    return;
  }
  if (!["127.0.0.1", "localhost"].includes(host))
    throw new ProvisionError(
      `Cassandra at ${host}:${port} is not reachable (CASSANDRA_CONTACT_POINTS)`,
    );
  let pid = readPid();
  if (!pid) {
    const java = ensureJava();
    const lib = ensureJars();
    const { conf, jvm } = renderConf({ port });
    log(
      `starting Cassandra ${CASSANDRA_VERSION} on ${host}:${port} (data in ${home}; first start takes ~30 s)…`,
    );
    pid = launchCassandra({
      java,
      lib,
      conf,
      jvm,
      home,
      logDir,
      jmxPort: port === 9042 ? 7199 : port + 2,
    });
    writeFileSync(pidFile, `${pid}\n`);
  }
  await waitFor(
    `Cassandra (${host}:${port})`,
    async () => {
      if (!readPid())
        throw new ProvisionError(`Cassandra exited during start-up; see ${logDir}:\n${logTail()}`);
      return (await tcpOpen(host, port)) && (await cqlReady(host, port));
    },
    timeoutMs,
    { intervalMs: 1000, hint: `Log: ${path.join(logDir, "system.log")}` },
  ).catch((err) => {
    if (err instanceof ProvisionError && /exited/.test(err.message)) throw err;
    throw new ProvisionError(`${err.message}\n${logTail()}`);
  });
}

/**
 * Start one Cassandra JVM (detached, logs in `logDir`/stdout.log) from a
 * rendered `conf` dir and JVM options; returns its pid. Also used by the
 * 3-node drill (scripts/drill-cassandra.mjs).
 */
export function launchCassandra({ java, lib, conf, jvm, home, logDir, jmxPort }) {
  mkdirSync(logDir, { recursive: true });
  const jamm = readdirSync(lib).find((f) => /^jamm-.*\.jar$/.test(f));
  const args = [
    ...jvm,
    `-Dcassandra.config=file://${path.join(conf, "cassandra.yaml")}`,
    `-Dlogback.configurationFile=${path.join(conf, "logback.xml")}`,
    `-Dcassandra.logdir=${logDir}`,
    `-Dcassandra.storagedir=${home}`,
    "-Dcassandra-foreground=yes",
    `-Dcassandra.jmx.local.port=${jmxPort}`,
    ...(jamm ? [`-javaagent:${path.join(lib, jamm)}`] : []),
    "-cp",
    `${conf}:${lib}/*`,
    "org.apache.cassandra.service.CassandraDaemon",
  ];
  const out = openSync(path.join(logDir, "stdout.log"), "a");
  const child = spawn(java, args, { detached: true, stdio: ["ignore", out, out], cwd: home });
  closeSync(out);
  child.unref();
  return child.pid;
}

/** Stop the Cassandra node this project started (no-op when none). */
export async function stopCassandra() {
  const pid = readPid();
  if (!pid) return false;
  log(`stopping Cassandra (pid ${pid})…`);
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 60_000;
  while (readPid() && Date.now() < deadline) await sleep(500);
  if (readPid()) process.kill(pid, "SIGKILL");
  rmSync(pidFile, { force: true });
  return true;
}

export const cassandraPid = readPid;
