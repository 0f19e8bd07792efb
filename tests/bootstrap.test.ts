// The bootstrap that `npm start`, `npm test` and `npm run bench` run first
// (scripts/lib/bootstrap.mjs): when node_modules counts as fresh, and a real
// `npm ci` in a tiny project with no registry dependencies (no network, < 1 s).
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BootstrapError,
  STAMP_FILE,
  decideDependencies,
  ensureDependencies,
  hashLock,
  manifestMatchesLock,
  projectNodeMajor,
  readDependencyFacts,
  workspaceManifests,
  type DependencyFacts,
} from "../scripts/lib/bootstrap.mjs";

const bootstrapModule = path.resolve(import.meta.dirname, "../scripts/lib/bootstrap.mjs");
const T = 1_700_000_000_000; // any fixed time: only the order of mtimes matters
const LOCK = hashLock("lock v2");

/** An installed tree whose inputs are all older than npm's hidden lockfile. */
function facts(overrides: Partial<DependencyFacts> = {}): DependencyFacts {
  return {
    nodeModules: true,
    stamp: null,
    lockHash: LOCK,
    lockMtimeMs: T,
    hiddenLockMtimeMs: T + 10,
    manifests: [
      { path: "package.json", mtimeMs: T - 5 },
      { path: "packages/shared/package.json", mtimeMs: T - 5 },
    ],
    ...overrides,
  };
}

describe("decideDependencies", () => {
  it("missing: no node_modules at all (a fresh clone)", () => {
    const d = decideDependencies(
      facts({ nodeModules: false, hiddenLockMtimeMs: null, lockMtimeMs: T }),
    );
    expect(d.state).toBe("missing");
    expect(d.reason).toContain("node_modules is missing");
  });

  it("fresh by stamp: the stamp holds this package-lock.json's hash", () => {
    const d = decideDependencies(facts({ stamp: LOCK }));
    expect(d).toMatchObject({ state: "fresh", writeStamp: false });
  });

  it("fresh by stamp even when mtimes moved (git checkout back and forth, a script edit)", () => {
    const d = decideDependencies(
      facts({
        stamp: LOCK,
        lockMtimeMs: T + 100,
        manifests: [{ path: "packages/shared/package.json", mtimeMs: T + 200 }],
      }),
    );
    expect(d.state).toBe("fresh");
  });

  it("stale after a lock change: stamp of another lock, package-lock.json newer than the install", () => {
    const d = decideDependencies(
      facts({ stamp: hashLock("lock v1"), lockMtimeMs: T + 100, hiddenLockMtimeMs: T }),
    );
    expect(d.state).toBe("stale");
    expect(d.reason).toBe("package-lock.json changed since the last install");
  });

  it("stale after a lock change when npm's hidden lockfile is gone but our stamp is not", () => {
    const d = decideDependencies(facts({ stamp: hashLock("lock v1"), hiddenLockMtimeMs: null }));
    expect(d.state).toBe("stale");
    expect(d.reason).toContain("package-lock.json changed");
  });

  it("fresh after an external npm ci (CI): no stamp, hidden lockfile newest; stamp it", () => {
    const d = decideDependencies(facts());
    expect(d).toMatchObject({ state: "fresh", writeStamp: true });
  });

  it("fresh when the hidden lockfile has the same mtime as package-lock.json (coarse clocks)", () => {
    expect(decideDependencies(facts({ hiddenLockMtimeMs: T })).state).toBe("fresh");
  });

  it("fresh after a hand-run npm install that changed the lock: outdated stamp, newer install", () => {
    const d = decideDependencies(facts({ stamp: hashLock("lock v1") }));
    expect(d).toMatchObject({ state: "fresh", writeStamp: true });
  });

  it("stale when a workspace package.json is newer than the install (no stamp)", () => {
    for (const inLock of [false, undefined]) {
      const d = decideDependencies(
        facts({
          manifests: [
            { path: "package.json", mtimeMs: T - 5, inLock: true },
            { path: "packages/shared/package.json", mtimeMs: T + 50, inLock },
          ],
        }),
      );
      expect(d.state).toBe("stale");
      expect(d.reason).toBe("packages/shared/package.json changed since the last install");
    }
  });

  it("fresh when a newer package.json still lists what the lock records (a script edit)", () => {
    const d = decideDependencies(
      facts({ manifests: [{ path: "package.json", mtimeMs: T + 50, inLock: true }] }),
    );
    expect(d).toMatchObject({ state: "fresh", writeStamp: true });
  });

  it("stale when package-lock.json is newer than an install without stamp (git pull)", () => {
    const d = decideDependencies(facts({ lockMtimeMs: T + 50 }));
    expect(d.state).toBe("stale");
    expect(d.reason).toContain("package-lock.json changed");
  });

  it("stale when node_modules has neither stamp nor hidden lockfile (interrupted install)", () => {
    const d = decideDependencies(facts({ hiddenLockMtimeMs: null }));
    expect(d.state).toBe("stale");
    expect(d.reason).toContain("incomplete");
  });

  it("no package-lock.json: decided by mtimes alone, nothing to stamp", () => {
    expect(decideDependencies(facts({ lockHash: null, lockMtimeMs: null }))).toMatchObject({
      state: "fresh",
      writeStamp: false,
    });
  });
});

describe("manifestMatchesLock", () => {
  const lockPackages = {
    "": { name: "relay", devDependencies: { vitest: "^5.1.1", node: "24.21.0" } },
    "packages/a": { name: "a", dependencies: { zod: "^4.0.0" } },
  };
  it("compares the dependency lists with the lock's record, key order aside", () => {
    const root = {
      name: "relay",
      scripts: { x: "y" },
      devDependencies: { node: "24.21.0", vitest: "^5.1.1" },
    };
    expect(manifestMatchesLock(root, lockPackages, "")).toBe(true);
    expect(
      manifestMatchesLock({ dependencies: { zod: "^4.0.0" } }, lockPackages, "packages/a"),
    ).toBe(true);
    expect(
      manifestMatchesLock({ dependencies: { zod: "^4.1.0" } }, lockPackages, "packages/a"),
    ).toBe(false);
    expect(
      manifestMatchesLock(
        { dependencies: { zod: "^4.0.0" }, devDependencies: { x: "1" } },
        lockPackages,
        "packages/a",
      ),
    ).toBe(false);
    expect(manifestMatchesLock({ name: "new" }, lockPackages, "packages/new")).toBe(false);
    expect(manifestMatchesLock({ name: "x" }, null, "")).toBeUndefined();
  });
});

describe("projectNodeMajor", () => {
  it("reads the major of the `node` devDependency, else engines", () => {
    expect(projectNodeMajor({ devDependencies: { node: "24.21.0" } })).toBe(24);
    expect(projectNodeMajor({ engines: { node: ">=24 <25" } })).toBe(24);
    expect(projectNodeMajor({})).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Real runs in temp dirs.

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A workspace root with one workspace package and no registry dependencies. */
function tinyProject(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "relay-bootstrap-"));
  temps.push(dir);
  mkdirSync(path.join(dir, "packages/a"), { recursive: true });
  const pkg = { name: "tiny", version: "1.0.0", private: true, workspaces: ["packages/*"] };
  writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  writeFileSync(path.join(dir, "packages/a/package.json"), '{"name":"a","version":"1.0.0"}');
  const lock = {
    name: "tiny",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "tiny", version: "1.0.0", workspaces: ["packages/*"] },
      "node_modules/a": { resolved: "packages/a", link: true },
      "packages/a": { version: "1.0.0" },
    },
  };
  writeFileSync(path.join(dir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
  return dir;
}

const stampOf = (dir: string) =>
  readFileSync(path.join(dir, "node_modules", STAMP_FILE), "utf8").trim();
const lockHashOf = (dir: string) => hashLock(readFileSync(path.join(dir, "package-lock.json")));

describe("ensureDependencies (real npm ci)", () => {
  it("installs a fresh clone, stamps it, then does nothing on the second call", () => {
    const dir = tinyProject();
    const lines: string[] = [];
    const log = (m: string) => void lines.push(m);

    const first = ensureDependencies({ root: dir, log, stdio: "pipe" });
    expect(first).toMatchObject({ state: "missing", installed: true, command: "npm ci" });
    expect(lines[0]).toMatch(/^installing dependencies \(node_modules is missing\): npm ci/);
    expect(existsSync(path.join(dir, "node_modules/a/package.json"))).toBe(true);
    expect(stampOf(dir)).toBe(lockHashOf(dir));

    lines.length = 0;
    const second = ensureDependencies({ root: dir, log, stdio: "pipe" });
    expect(second).toMatchObject({ state: "fresh", installed: false, command: null });
    expect(lines).toEqual([]);

    // Same dependencies, different bytes (a reformatted lock): reinstall, say why.
    const lock = readFileSync(path.join(dir, "package-lock.json"), "utf8");
    writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(JSON.parse(lock)));
    const third = ensureDependencies({ root: dir, log, stdio: "pipe" });
    expect(third).toMatchObject({ state: "stale", installed: true });
    expect(lines[0]).toContain("(package-lock.json changed since the last install)");
    expect(stampOf(dir)).toBe(lockHashOf(dir));
  });

  it("adopts node_modules installed by a plain `npm ci` (as CI does) without reinstalling", () => {
    const dir = tinyProject();
    const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines: string[] = [];
    const result = ensureDependencies({ root: dir, log: (m) => void lines.push(m), stdio: "pipe" });
    expect(result).toMatchObject({ state: "fresh", installed: false });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("using it as is");
    expect(stampOf(dir)).toBe(lockHashOf(dir));
  });

  it("reports a failed npm ci as a BootstrapError and writes no stamp", () => {
    const dir = tinyProject();
    writeFileSync(path.join(dir, "package-lock.json"), "{ not json");
    expect(() =>
      ensureDependencies({ root: dir, log: () => {}, stdio: "pipe", exitOnFailure: false }),
    ).toThrow(BootstrapError);
    expect(() =>
      ensureDependencies({ root: dir, log: () => {}, stdio: "pipe", exitOnFailure: false }),
    ).toThrow(/^npm ci failed \(exit 1\):\n.*npm error/s);
    expect(existsSync(path.join(dir, "node_modules", STAMP_FILE))).toBe(false);
  });

  it("lists the root's workspace manifests from its globs", () => {
    const dir = tinyProject();
    expect(workspaceManifests(dir, ["packages/*", "missing"])).toEqual([
      path.join(dir, "packages/a/package.json"),
    ]);
    expect(readDependencyFacts(dir).manifests).toMatchObject([
      { path: "package.json", inLock: true },
      { path: path.join("packages", "a", "package.json"), inLock: true },
    ]);
    writeFileSync(
      path.join(dir, "packages/a/package.json"),
      '{"name":"a","version":"1.0.0","dependencies":{"left-pad":"^1.3.0"}}',
    );
    expect(readDependencyFacts(dir).manifests[1]?.inLock).toBe(false);
  });
});

describe("reexecUnderProjectNode", () => {
  /**
   * A project whose `node` devDependency names another major than the one
   * running, with node_modules/.bin/node pointing at this very Node: the
   * script re-executes once (the child does not loop) and the parent mirrors
   * the child's exit code and forwards signals.
   */
  function reexecProject(): { dir: string; script: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), "relay-reexec-"));
    temps.push(dir);
    const otherMajor = Number(process.versions.node.split(".")[0]) + 1;
    writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({ name: "x", devDependencies: { node: `${otherMajor}.0.0` } }),
    );
    mkdirSync(path.join(dir, "node_modules/.bin"), { recursive: true });
    symlinkSync(process.execPath, path.join(dir, "node_modules/.bin/node"));
    const script = path.join(dir, "main.mjs");
    writeFileSync(
      script,
      `import { reexecUnderProjectNode } from ${JSON.stringify(bootstrapModule)};
await reexecUnderProjectNode({ root: ${JSON.stringify(dir)} });
process.on("SIGTERM", () => { console.log("child got SIGTERM"); process.exit(3); });
console.log("child pid " + process.pid + " args " + JSON.stringify(process.argv.slice(2)) +
  " marker " + (process.env.RELAY_REEXEC_FROM ?? "none") + " X=" + process.env.X);
if (process.argv[2] === "wait") setInterval(() => {}, 1000);
else process.exit(7);
`,
    );
    return { dir, script };
  }

  it("re-runs the script once with the same args and env, and exits with its code", () => {
    const { script } = reexecProject();
    const r = spawnSync(process.execPath, [script, "a b", "--flag"], {
      encoding: "utf8",
      env: { ...process.env, X: "kept" },
    });
    expect(r.status).toBe(7);
    expect(r.stdout).toContain("not Node"); // the child notices the version and does not loop
    expect(r.stdout).toContain(`args ["a b","--flag"] marker none X=kept`);
    expect(r.stdout.match(/child pid/g)).toHaveLength(1);
  });

  it("forwards SIGTERM to the child and exits with the child's code", async () => {
    const { script } = reexecProject();
    const parent = spawn(process.execPath, [script, "wait"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    parent.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => parent.once("exit", (code) => r(code)));
    const deadline = Date.now() + 10_000;
    while (!out.includes("child pid") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const childPid = Number(/child pid (\d+)/.exec(out)?.[1]);
    expect(childPid).not.toBe(parent.pid);
    parent.kill("SIGTERM");
    expect(await exited).toBe(3);
    expect(out).toContain("child got SIGTERM");
  });
});
