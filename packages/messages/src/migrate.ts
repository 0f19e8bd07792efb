import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import cassandra from "cassandra-driver";
import type { Client, QueryOptions } from "cassandra-driver";
import { assertKeyspaceName, replicationToCql, splitCqlStatements } from "./cql";

export { createCassandraClient, parseContactPoints, type CassandraClientConfig } from "./client";

const { consistencies } = cassandra.types;

/** The bundled migrations, located relative to this module so it works from source. */
export const DEFAULT_MIGRATIONS_DIR = new URL("../cql/", import.meta.url);

/**
 * Keyspace replication map, e.g. `{ class: "SimpleStrategy", replication_factor: 1 }`
 * or `{ class: "NetworkTopologyStrategy", dc1: 3, dc2: 3 }`.
 */
export type ReplicationOptions = { class: string } & Record<string, string | number>;

export interface MigrateOptions {
  keyspace: string;
  /** Used only when the keyspace is created; an existing keyspace is never altered. */
  replication: ReplicationOptions;
  /** Directory of NNN_name.cql files; defaults to this package's cql/. */
  migrationsDir?: URL | string;
  /** How long to wait for another process's migration lock; default 90 s. */
  lockTimeoutMs?: number;
  /** Lock lease, renewed after every statement; default 60 s (frees the lock if a migrator dies). */
  lockTtlSeconds?: number;
  /** How long to wait for schema agreement after DDL; default 60 s. */
  schemaAgreementTimeoutMs?: number;
}

export interface MigrationResult {
  keyspace: string;
  /** Versions applied by this call, in order. */
  applied: string[];
  /** Every version recorded in schema_migrations after this call, sorted. */
  versions: string[];
}

export interface Migration {
  /** File name without `.cql`, e.g. "001_messages"; the key in schema_migrations. */
  version: string;
  number: number;
  statements: string[];
}

const FILE_RE = /^(\d{3,})_([a-z0-9_]+)\.cql$/;

/** Reads and parses NNN_name.cql files, sorted by number; rejects duplicate numbers. */
export async function loadMigrations(
  dir: URL | string = DEFAULT_MIGRATIONS_DIR,
): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".cql"));
  const migrations: Migration[] = [];
  for (const name of names) {
    const match = FILE_RE.exec(name);
    if (!match)
      throw new Error(`bad migration file name ${name}: expected NNN_name.cql (lower-case)`);
    const fileUrl = typeof dir === "string" ? join(dir, name) : new URL(name, dir);
    const text = await readFile(fileUrl, "utf8");
    migrations.push({
      version: name.slice(0, -".cql".length),
      number: Number(match[1]),
      statements: splitCqlStatements(text),
    });
  }
  migrations.sort((a, b) => a.number - b.number);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.number === migrations[i - 1]!.number) {
      throw new Error(
        `duplicate migration number: ${migrations[i - 1]!.version} and ${migrations[i]!.version}`,
      );
    }
  }
  return migrations;
}

/**
 * Creates `keyspace` (if missing) with the given replication, its
 * `schema_migrations(version, applied_at)` table, then applies the migrations
 * not yet recorded there, in order, recording each.
 *
 * Idempotent, and safe when several processes run it at once: the bootstrap DDL
 * uses IF NOT EXISTS, and pending migrations are applied under a lease lock
 * taken with a lightweight transaction (table `schema_migrations_lock`), so only
 * one process issues migration DDL at a time (concurrent CREATE TABLE on
 * different coordinators can otherwise split the schema). Migration files must
 * themselves be idempotent (IF NOT EXISTS), since a crash can leave one half
 * applied. Waits for schema agreement after DDL.
 *
 * Note: migration statements use unqualified names, so this runs `USE <keyspace>`
 * on `client`: afterwards the client's session keyspace is always `keyspace`.
 */
export async function migrateKeyspace(
  client: Client,
  options: MigrateOptions,
): Promise<MigrationResult> {
  const ks = assertKeyspaceName(options.keyspace);
  const replication = replicationToCql(options.replication);
  const lockTimeoutMs = options.lockTimeoutMs ?? 90_000;
  const lockTtlSeconds = options.lockTtlSeconds ?? 60;
  const agreementTimeoutMs = options.schemaAgreementTimeoutMs ?? 60_000;
  const migrations = await loadMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);

  await client.connect();
  const ddl: QueryOptions = { prepare: false };
  const dml: QueryOptions = {
    prepare: true,
    consistency: consistencies.localQuorum,
    isIdempotent: true,
  };
  const lwt: QueryOptions = {
    prepare: true,
    consistency: consistencies.localQuorum,
    serialConsistency: consistencies.localSerial,
  };

  // 1. Bootstrap: keyspace + bookkeeping tables. Skipped when they exist, to keep
  // concurrent start-ups from issuing DDL at all in the common case.
  if (!(await bootstrapExists(client, ks))) {
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = ${replication} AND durable_writes = true`,
      [],
      ddl,
    );
    await client.execute(
      `CREATE TABLE IF NOT EXISTS ${ks}.schema_migrations (version text PRIMARY KEY, applied_at timestamp)`,
      [],
      ddl,
    );
    await client.execute(
      `CREATE TABLE IF NOT EXISTS ${ks}.schema_migrations_lock (name text PRIMARY KEY, owner text, acquired_at timestamp)`,
      [],
      ddl,
    );
    await waitForSchemaAgreement(client, agreementTimeoutMs);
  }

  const readApplied = async (): Promise<Set<string>> => {
    const rs = await client.execute(`SELECT version FROM ${ks}.schema_migrations`, [], dml);
    return new Set(rs.rows.map((row) => String(row.get("version"))));
  };

  let applied = await readApplied();
  const done: string[] = [];
  if (migrations.some((m) => !applied.has(m.version))) {
    // 2. Pending work: take the lock, re-check (another process may have just
    // applied them), apply in order, recording each version.
    const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
    await acquireLock(client, ks, owner, lockTtlSeconds, lockTimeoutMs, lwt);
    try {
      applied = await readApplied();
      const pending = migrations.filter((m) => !applied.has(m.version));
      if (pending.length > 0) await client.execute(`USE ${ks}`, [], ddl);
      for (const migration of pending) {
        for (const statement of migration.statements) {
          try {
            await client.execute(statement, [], ddl);
          } catch (err) {
            throw new Error(
              `migration ${migration.version} failed at: ${statement.slice(0, 200)}`,
              { cause: err },
            );
          }
          await waitForSchemaAgreement(client, agreementTimeoutMs);
          await renewLock(client, ks, owner, lockTtlSeconds, lwt);
        }
        await client.execute(
          `INSERT INTO ${ks}.schema_migrations (version, applied_at) VALUES (?, ?)`,
          [migration.version, new Date()],
          dml,
        );
        applied.add(migration.version);
        done.push(migration.version);
      }
    } finally {
      await releaseLock(client, ks, owner, lwt).catch(() => {
        /* the lease expires by itself */
      });
    }
  }
  // Always leave the session on the migrated keyspace, applied work or not.
  if (client.keyspace !== ks) await client.execute(`USE ${ks}`, [], ddl);
  return { keyspace: ks, applied: done, versions: [...applied].sort() };
}

async function bootstrapExists(client: Client, ks: string): Promise<boolean> {
  const rs = await client.execute(
    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
    [ks],
    { prepare: true, isIdempotent: true },
  );
  const tables = new Set(rs.rows.map((row) => String(row.get("table_name"))));
  return tables.has("schema_migrations") && tables.has("schema_migrations_lock");
}

const LOCK_NAME = "migrate";

async function acquireLock(
  client: Client,
  ks: string,
  owner: string,
  ttlSeconds: number,
  timeoutMs: number,
  lwt: QueryOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    const rs = await client.execute(
      `INSERT INTO ${ks}.schema_migrations_lock (name, owner, acquired_at) VALUES (?, ?, ?) IF NOT EXISTS USING TTL ?`,
      [LOCK_NAME, owner, new Date(), ttlSeconds],
      lwt,
    );
    if (rs.wasApplied()) return;
    if (Date.now() >= deadline) {
      const holder: unknown = rs.first()?.get("owner");
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for the ${ks} migration lock (held by ${String(holder)})`,
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 1_000);
  }
}

async function renewLock(
  client: Client,
  ks: string,
  owner: string,
  ttlSeconds: number,
  lwt: QueryOptions,
): Promise<void> {
  const rs = await client.execute(
    `UPDATE ${ks}.schema_migrations_lock USING TTL ? SET owner = ?, acquired_at = ? WHERE name = ? IF owner = ?`,
    [ttlSeconds, owner, new Date(), LOCK_NAME, owner],
    lwt,
  );
  if (!rs.wasApplied()) throw new Error(`lost the ${ks} migration lock (lease expired); aborting`);
}

async function releaseLock(
  client: Client,
  ks: string,
  owner: string,
  lwt: QueryOptions,
): Promise<void> {
  await client.execute(
    `DELETE FROM ${ks}.schema_migrations_lock WHERE name = ? IF owner = ?`,
    [LOCK_NAME, owner],
    lwt,
  );
}

interface SchemaAgreementMetadata {
  checkSchemaAgreement(): Promise<boolean>;
}

/** Polls until every live node reports the same schema version. */
export async function waitForSchemaAgreement(client: Client, timeoutMs = 60_000): Promise<void> {
  // checkSchemaAgreement exists in the driver (4.x) but is missing from its typings.
  const metadata = client.metadata as unknown as SchemaAgreementMetadata;
  const deadline = Date.now() + timeoutMs;
  while (!(await metadata.checkSchemaAgreement())) {
    if (Date.now() >= deadline) throw new Error(`no schema agreement after ${timeoutMs} ms`);
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
