#!/usr/bin/env node
// Runs the Prisma CLI offline-safe: its native engines are never needed (the
// Wasm schema engine and the query compiler do the work), so point the engine
// variables at an existing file to stop the CLI from trying to download them.
// Usage: node scripts/prisma.mjs <prisma args…>   (DATABASE_URL from env)
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { root } from "./lib/paths.mjs";

export function prismaEnv(extra = {}) {
  return {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
    PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
    ...extra,
  };
}

const require = createRequire(import.meta.url);
const cli = path.join(
  path.dirname(require.resolve("prisma/package.json", { paths: [path.join(root, "prisma")] })),
  "build/index.js",
);

export function prisma(args, { env = {}, stdio = "inherit" } = {}) {
  const r = spawnSync(
    process.execPath,
    [
      "--require",
      path.join(root, "scripts/lib/prisma-unref-timers.cjs"),
      cli,
      ...args,
      "--config",
      path.join(root, "prisma/prisma.config.ts"),
    ],
    {
      cwd: path.join(root, "prisma"),
      env: prismaEnv(env),
      stdio,
      encoding: "utf8",
    },
  );
  return r;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  // `generate` reads no database, but the schema's datasource names DATABASE_URL.
  const env =
    args[0] === "generate" && !process.env.DATABASE_URL
      ? { DATABASE_URL: "postgresql://generate@localhost/unused" }
      : {};
  const r = prisma(args, { env });
  process.exit(r.status ?? 1);
}
