// Test-only helpers for the Postgres schema (`@relay/db/testing`, not the package root):
// the schema tests and the benchmarks' scratch databases.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? "postgresql://relay:relay@127.0.0.1:5432/relay_test";
}

/** Run the Prisma CLI the way scripts do (offline-safe engines); returns stdout. */
export async function prismaCli(args: string[], databaseUrl: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [`${repoRoot}scripts/prisma.mjs`, ...args],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      encoding: "utf8",
    },
  );
  return stdout;
}

/** Create an empty scratch database next to the test database; returns its URL and a drop function. */
export async function scratchDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(testDatabaseUrl());
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new URL(base);
  admin.pathname = "/postgres";
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * A comparable description of a database schema from the Postgres catalog:
 * enums, columns, constraints and indexes of the public schema, excluding
 * Prisma's own bookkeeping table.
 */
export async function describeSchema(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows: string[] = [];
    const enums = await c.query<{ t: string; labels: string }>(
      `SELECT t.typname AS t, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' GROUP BY t.typname`,
    );
    for (const r of enums.rows) rows.push(`enum ${r.t}: ${r.labels}`);
    const cols = await c.query<{
      table_name: string;
      column_name: string;
      t: string;
      is_nullable: string;
      column_default: string | null;
    }>(
      `SELECT table_name, column_name, format_type(a.atttypid, a.atttypmod) AS t, c.is_nullable, c.column_default
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name
       WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'`,
    );
    for (const r of cols.rows)
      rows.push(
        `column ${r.table_name}.${r.column_name}: ${r.t} ${r.is_nullable === "YES" ? "null" : "not null"} default ${r.column_default ?? "-"}`,
      );
    const cons = await c.query<{ rel: string; conname: string; def: string }>(
      `SELECT cl.relname AS rel, co.conname, pg_get_constraintdef(co.oid) AS def
       FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
       WHERE n.nspname = 'public' AND cl.relname <> '_prisma_migrations'`,
    );
    for (const r of cons.rows) rows.push(`constraint ${r.rel}.${r.conname}: ${r.def}`);
    const idx = await c.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
    );
    for (const r of idx.rows) rows.push(`index ${r.indexdef}`);
    return rows.sort();
  } finally {
    await c.end();
  }
}
