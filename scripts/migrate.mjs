#!/usr/bin/env node
// Apply every migration for a profile: Prisma SQL migrations to Postgres and
// versioned CQL migrations to Cassandra. Idempotent.
// Usage: node scripts/migrate.mjs [dev|test]
import { tsImport } from "tsx/esm/api";
import { loadEnv } from "./lib/env.mjs";
import { log } from "./lib/proc.mjs";
import { prisma } from "./prisma.mjs";

export async function migrateAll(env) {
  const t0 = Date.now();
  const r = prisma(["migrate", "deploy"], {
    env: { DATABASE_URL: env.DATABASE_URL },
    stdio: "pipe",
  });
  if (r.status !== 0) throw new Error(`prisma migrate deploy failed:\n${r.stdout}\n${r.stderr}`);
  const gen = prisma(["generate"], { env: { DATABASE_URL: env.DATABASE_URL }, stdio: "pipe" });
  if (gen.status !== 0) throw new Error(`prisma generate failed:\n${gen.stdout}\n${gen.stderr}`);
  const { createCassandraClient, migrateKeyspace } = await tsImport(
    "../packages/messages/src/index.ts",
    import.meta.url,
  );
  const client = createCassandraClient({
    contactPoints: env.CASSANDRA_CONTACT_POINTS,
    localDataCenter: env.CASSANDRA_LOCAL_DC,
  });
  try {
    const applied = await migrateKeyspace(client, {
      keyspace: env.CASSANDRA_KEYSPACE,
      replication: JSON.parse(env.CASSANDRA_REPLICATION),
    });
    log(
      `migrations applied: Postgres (${new URL(env.DATABASE_URL).pathname.slice(1)}), Cassandra keyspace ${env.CASSANDRA_KEYSPACE}${applied?.length ? ` (+${applied.join(", ")})` : ""} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  } finally {
    await client.shutdown();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const profile = process.argv[2] ?? "dev";
  try {
    await migrateAll(loadEnv(profile));
  } catch (err) {
    console.error(`[relay] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
