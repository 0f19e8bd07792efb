// The first thing `npm start`, `npm test` and `npm run bench` do: install the
// dependencies when node_modules is missing or stale, then continue on the
// project's own Node (the `node` package in devDependencies).
//
// This module runs before anything is installed, on whatever Node started it
// (the system Node 20 on a fresh clone), so it may only import `node:`
// builtins — never a package and never a project module that might import one.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Written after an install: the sha256 of the package-lock.json it installed. */
export const STAMP_FILE = ".relay-deps-stamp";
/** Marks the re-executed child (its value: the Node version that started us). */
const REEXEC_ENV = "RELAY_REEXEC_FROM";

const defaultLog = (msg) => process.stdout.write(`[relay] ${msg}\n`);

export class BootstrapError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Decide from plain facts whether node_modules can be used as it is.
 * Pure (no I/O) so every case is unit-tested.
 *
 * facts: {
 *   nodeModules: boolean,          // node_modules exists
 *   stamp: string | null,          // contents of node_modules/.relay-deps-stamp
 *   lockHash: string | null,       // sha256 of package-lock.json (null: no lockfile)
 *   lockMtimeMs: number | null,
 *   hiddenLockMtimeMs: number | null,  // node_modules/.package-lock.json
 *   manifests: {                   // root + every workspace package.json
 *     path: string, mtimeMs: number,
 *     inLock?: boolean,            // its dependency lists equal package-lock.json's record
 *   }[],
 * }
 * returns { state: "fresh" | "stale" | "missing", reason: string, writeStamp: boolean }
 */
export function decideDependencies(facts) {
  const { nodeModules, stamp, lockHash, lockMtimeMs, hiddenLockMtimeMs, manifests = [] } = facts;
  if (!nodeModules)
    return { state: "missing", reason: "node_modules is missing", writeStamp: true };

  // Our own stamp is written only after a successful install, and `npm ci`
  // empties node_modules first, so a matching stamp proves that exactly this
  // lockfile is installed. Manifest mtimes are deliberately not consulted
  // here: an edit that changes no dependency (a script, a version) needs no
  // reinstall, and one that does without updating the lock would make
  // `npm ci` refuse anyway.
  if (lockHash && stamp === lockHash)
    return { state: "fresh", reason: "matches package-lock.json", writeStamp: false };

  // No stamp (CI's `npm ci`, a hand-run `npm install`) or an outdated one
  // (someone ran `npm install` after the lock changed): npm writes its hidden
  // lockfile at the end of every install, after package-lock.json and any
  // package.json it edits, so if it is at least as new as all of them,
  // node_modules was installed from the current inputs. A package.json edited
  // later whose dependency lists still equal what the lock records for it
  // (a script, a formatter run) does not count: reinstalling would change
  // nothing.
  if (hiddenLockMtimeMs != null) {
    const lockNewer = lockMtimeMs != null && lockMtimeMs > hiddenLockMtimeMs;
    const manifestNewer = manifests.find((m) => m.mtimeMs > hiddenLockMtimeMs && m.inLock !== true);
    if (!lockNewer && !manifestNewer)
      return {
        state: "fresh",
        reason: "installed by npm ci/npm install after the last change to package-lock.json",
        writeStamp: lockHash != null,
      };
    if (lockNewer)
      return {
        state: "stale",
        reason: "package-lock.json changed since the last install",
        writeStamp: true,
      };
    return {
      state: "stale",
      reason: `${manifestNewer.path} changed since the last install`,
      writeStamp: true,
    };
  }
  if (stamp != null)
    return {
      state: "stale",
      reason: "package-lock.json changed since the last install",
      writeStamp: true,
    };
  // node_modules without npm's hidden lockfile: an interrupted or foreign install.
  return {
    state: "stale",
    reason: "node_modules is incomplete (no node_modules/.package-lock.json)",
    writeStamp: true,
  };
}

const mtimeOrNull = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
};

const readOrNull = (file) => {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
};

export const hashLock = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/**
 * The package.json of every workspace, expanded from the root's `workspaces`
 * with a minimal glob (`*` within one path segment — what npm workspaces here
 * use; Node 20 has no fs.glob).
 */
export function workspaceManifests(root, workspaces) {
  const patterns = Array.isArray(workspaces) ? workspaces : (workspaces?.packages ?? []);
  const found = new Set();
  for (const pattern of patterns) {
    let dirs = [root];
    for (const segment of pattern.split("/").filter((s) => s && s !== ".")) {
      if (!segment.includes("*")) {
        dirs = dirs.map((d) => path.join(d, segment));
        continue;
      }
      const re = new RegExp(
        `^${segment
          .split("*")
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*")}$`,
      );
      dirs = dirs.flatMap((d) => {
        try {
          return readdirSync(d, { withFileTypes: true })
            .filter((e) => e.isDirectory() && !e.name.startsWith(".") && re.test(e.name))
            .map((e) => path.join(d, e.name));
        } catch {
          return [];
        }
      });
    }
    for (const d of dirs) {
      const manifest = path.join(d, "package.json");
      if (existsSync(manifest)) found.add(manifest);
    }
  }
  return [...found].sort();
}

const DEPENDENCY_FIELDS = [
  "dependencies",
  "devDependencies",
  "optionalDependencies",
  "peerDependencies",
];
const sortedEntries = (o) =>
  JSON.stringify(Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * Whether a package.json declares exactly the dependencies package-lock.json
 * records for it (`packages[""]` for the root, `packages["apps/web"]` for a
 * workspace). Undefined when the lock cannot tell (no lock, lockfile v1).
 */
export function manifestMatchesLock(manifest, lockPackages, key) {
  if (!lockPackages || !manifest) return undefined;
  const entry = lockPackages[key];
  if (!entry) return false;
  return DEPENDENCY_FIELDS.every((f) => sortedEntries(manifest[f]) === sortedEntries(entry[f]));
}

const readJsonOrNull = (file) => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
};

/** Gather the facts decideDependencies() needs (all cheap: a hash, a parse, some stats). */
export function readDependencyFacts(root = projectRoot) {
  const nodeModulesDir = path.join(root, "node_modules");
  const rootManifest = path.join(root, "package.json");
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(rootManifest, "utf8"));
  } catch (err) {
    throw new BootstrapError(`cannot read ${rootManifest}: ${err.message}`);
  }
  const lock = readOrNull(path.join(root, "package-lock.json"));
  let lockPackages = null;
  try {
    lockPackages = lock ? (JSON.parse(lock.toString("utf8")).packages ?? null) : null;
  } catch {
    /* unparseable: `npm ci` will say so if an install is needed */
  }
  const stamp = readOrNull(path.join(nodeModulesDir, STAMP_FILE));
  return {
    nodeModules: existsSync(nodeModulesDir),
    stamp: stamp ? stamp.toString("utf8").trim() : null,
    lockHash: lock ? hashLock(lock) : null,
    lockMtimeMs: mtimeOrNull(path.join(root, "package-lock.json")),
    hiddenLockMtimeMs: mtimeOrNull(path.join(nodeModulesDir, ".package-lock.json")),
    manifests: [rootManifest, ...workspaceManifests(root, pkg.workspaces)].map((file) => {
      const rel = path.relative(root, file);
      const key = path.dirname(rel).split(path.sep).join("/");
      return {
        path: rel,
        mtimeMs: mtimeOrNull(file) ?? 0,
        inLock: manifestMatchesLock(readJsonOrNull(file), lockPackages, key === "." ? "" : key),
      };
    }),
  };
}

/**
 * The npm to install with: the one that is running this script when npm
 * started it (npm_execpath, on the Node npm itself runs on), else `npm` from
 * PATH. PATH loses the project's node_modules/.bin (npm puts it first for
 * scripts): `npm ci` deletes that folder, and npm should run on the system
 * Node exactly as if the user had typed `npm ci`.
 */
function npmInvocation(root, env) {
  const bins = new Set();
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    bins.add(path.join(dir, "node_modules", ".bin"));
    if (path.dirname(dir) === dir) break;
  }
  const pathKey = Object.keys(env).find((k) => k.toUpperCase() === "PATH") ?? "PATH";
  const cleanPath = (env[pathKey] ?? "")
    .split(path.delimiter)
    .filter((p) => p && !bins.has(path.resolve(p)))
    .join(path.delimiter);
  const childEnv = { ...env, [pathKey]: cleanPath };
  const cli = env.npm_execpath;
  const node = env.npm_node_execpath;
  if (cli && /npm-cli\.[cm]?js$/.test(cli) && existsSync(cli) && node && existsSync(node))
    return { cmd: node, prefix: [cli], env: childEnv };
  return { cmd: "npm", prefix: [], env: childEnv };
}

/**
 * Install the dependencies when node_modules is missing or stale (npm ci, or
 * npm install when there is no package-lock.json), then stamp node_modules.
 * Returns { state, reason, installed, command }. On an install failure it
 * prints the reason and exits with npm's code, unless `exitOnFailure: false`
 * (then it throws a BootstrapError).
 */
export function ensureDependencies({
  root = projectRoot,
  log = defaultLog,
  stdio = "inherit",
  env = process.env,
  exitOnFailure = true,
} = {}) {
  try {
    return ensureDependenciesOrThrow({ root, log, stdio, env });
  } catch (err) {
    if (!exitOnFailure || !(err instanceof BootstrapError)) throw err;
    process.stderr.write(`[relay] ${err.message}\n`);
    process.exit(err.exitCode);
  }
}

function ensureDependenciesOrThrow({ root, log, stdio, env }) {
  const facts = readDependencyFacts(root);
  const decision = decideDependencies(facts);
  const stampFile = path.join(root, "node_modules", STAMP_FILE);

  if (decision.state === "fresh") {
    if (decision.writeStamp) {
      log(`dependencies: node_modules was ${decision.reason}; using it as is`);
      try {
        writeFileSync(stampFile, `${facts.lockHash}\n`);
      } catch {
        /* read-only node_modules: decide by mtimes again next time */
      }
    }
    return { ...decision, installed: false, command: null };
  }

  const args = facts.lockHash ? ["ci"] : ["install"];
  // Audit and funding notices need extra registry round trips and say nothing
  // a newcomer can act on during a first start.
  args.push("--no-audit", "--no-fund");
  const command = `npm ${args[0]}`;
  const npm = npmInvocation(root, env);
  // npm checks `engines` against the Node it runs on, which on a fresh clone
  // (or when npm itself runs on the system Node) is not the project's.
  const npmNode = npm.prefix.length ? npm.cmd : process.execPath;
  const want = projectNodeMajor(JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")));
  const otherNode =
    npmNode !== process.execPath ||
    (want != null && Number(process.versions.node.split(".")[0]) !== want);
  log(
    `installing dependencies (${decision.reason}): ${command}` +
      (otherNode
        ? " (npm may warn EBADENGINE on the system Node; the project then runs on its own Node from node_modules)…"
        : "…"),
  );
  const t0 = Date.now();
  const r = spawnSync(npm.cmd, [...npm.prefix, ...args], { cwd: root, env: npm.env, stdio });
  if (r.error)
    throw new BootstrapError(
      r.error.code === "ENOENT"
        ? `npm not found on PATH: install Node.js with npm (any Node ≥ 20), then run this again`
        : `${command} could not start: ${r.error.message}`,
    );
  if (r.status !== 0) {
    const output = r.stderr
      ? `:\n${r.stderr.toString().trim().split("\n").slice(-10).join("\n")}`
      : "; see npm's output above";
    throw new BootstrapError(
      `${command} failed (${r.signal ?? `exit ${r.status}`})${output}`,
      r.status || 1,
    );
  }

  // `npm install` may just have created the lockfile: stamp what is there now.
  const lock = readOrNull(path.join(root, "package-lock.json"));
  if (lock) {
    mkdirSync(path.dirname(stampFile), { recursive: true });
    writeFileSync(stampFile, `${hashLock(lock)}\n`);
  }
  log(`dependencies installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { ...decision, installed: true, command };
}

/** The Node major the project runs on: from devDependencies.node, else engines. */
export function projectNodeMajor(pkg) {
  const spec = pkg?.devDependencies?.node ?? pkg?.engines?.node ?? "";
  const m = /(\d+)/.exec(spec);
  return m ? Number(m[1]) : null;
}

/**
 * When the running Node is not the project's major (a fresh clone's first
 * `npm start` runs on the system Node because node_modules/.bin was not on
 * PATH yet), re-run this same script with the same arguments and environment
 * under node_modules/.bin/node and mirror its exit. The returned promise then
 * never resolves, so `await reexecUnderProjectNode()` at the top of a script
 * stops the parent from running the rest; otherwise it resolves to false.
 */
export function reexecUnderProjectNode({ root = projectRoot, log = defaultLog } = {}) {
  const have = Number(process.versions.node.split(".")[0]);
  let want = null;
  try {
    want = projectNodeMajor(JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")));
  } catch {
    /* no readable package.json: nothing to switch to */
  }

  const from = process.env[REEXEC_ENV];
  if (from !== undefined) {
    // We are the re-executed child: say once which Node runs, and drop the
    // marker so the apps and tools we start see the environment as before.
    delete process.env[REEXEC_ENV];
    if (want != null && have !== want)
      log(`warning: node_modules/.bin/node is ${process.version}, not Node ${want}; continuing`);
    else log(`running on the project's Node ${process.version} (started on ${from})`);
    return Promise.resolve(false);
  }
  if (want == null || have === want) return Promise.resolve(false);

  const bin = path.join(root, "node_modules", ".bin", "node");
  if (!existsSync(bin)) {
    log(
      `warning: running on Node ${process.version}, but the project needs Node ${want} and ${path.relative(root, bin)} is missing`,
    );
    return Promise.resolve(false);
  }

  const child = spawn(bin, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, [REEXEC_ENV]: process.version },
  });
  // Ctrl-C reaches the whole foreground process group, the child included;
  // forwarding covers signals sent to this process alone (npm relays SIGTERM
  // to its script). Until the child exits, this process stays alive.
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const s of signals) process.on(s, forward);
  child.once("error", (err) => {
    process.stderr.write(`[relay] could not start ${bin}: ${err.message}\n`);
    process.exit(1);
  });
  child.once("exit", (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) {
      // Die of the same signal so npm (and the shell) see what the child saw.
      process.kill(process.pid, signal);
      setTimeout(() => process.exit(128 + (osConstants.signals[signal] ?? 1)), 100);
      return;
    }
    process.exit(code ?? 1);
  });
  return new Promise(() => {});
}
