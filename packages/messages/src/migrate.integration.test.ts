import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCassandraClient } from "./client";
import { loadMigrations, migrateKeyspace } from "./migrate";
import { TEST_REPLICATION, testCassandraConfig } from "./testing";

const config = testCassandraConfig();
const clients: Client[] = [];
const keyspaces: string[] = [];
const tmpDirs: string[] = [];

function newClient(): Client {
  const c = createCassandraClient({
    contactPoints: config.contactPoints,
    localDataCenter: config.localDataCenter,
  });
  clients.push(c);
  return c;
}

/** A fresh keyspace name derived from the test keyspace, dropped after the file. */
function freshKeyspace(): string {
  const name = `${config.keyspace.slice(0, 30)}_mig_${randomBytes(5).toString("hex")}`;
  keyspaces.push(name);
  return name;
}

async function tempMigrations(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "relay-cql-"));
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

let admin: Client;
beforeAll(async () => {
  admin = newClient();
  await admin.connect();
});

afterAll(async () => {
  for (const ks of keyspaces)
    await admin.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => undefined);
  await Promise.all(clients.map((c) => c.shutdown()));
  await Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function recordedVersions(ks: string): Promise<string[]> {
  const rs = await admin.execute(`SELECT version, applied_at FROM ${ks}.schema_migrations`);
  for (const row of rs.rows) expect(row.get("applied_at")).toBeInstanceOf(Date);
  return rs.rows.map((r) => String(r.get("version"))).sort();
}

describe("loadMigrations", () => {
  it("finds the bundled migrations next to the module", async () => {
    const migrations = await loadMigrations();
    expect(migrations.map((m) => m.version)[0]).toBe("001_messages");
    const first = migrations[0]!;
    expect(first.statements).toHaveLength(3);
    expect(first.statements.every((s) => /IF NOT EXISTS/i.test(s))).toBe(true);
  });

  it("orders by number and rejects bad names and duplicate numbers", async () => {
    const ok = await tempMigrations({
      "010_b.cql": "SELECT 1 FROM x;",
      "002_a.cql": "",
      "notes.txt": "ignored",
    });
    expect((await loadMigrations(ok)).map((m) => m.version)).toEqual(["002_a", "010_b"]);
    await expect(loadMigrations(await tempMigrations({ "1_short.cql": "" }))).rejects.toThrow(
      /bad migration file name/,
    );
    await expect(
      loadMigrations(await tempMigrations({ "003_a.cql": "", "003_b.cql": "" })),
    ).rejects.toThrow(/duplicate/);
  });
});

describe("migrateKeyspace", () => {
  it("creates the keyspace and tables, is safe to run concurrently, and is a no-op the second time", async () => {
    const ks = freshKeyspace();
    // two "processes" (separate clients) racing on a brand-new keyspace
    const [a, b] = await Promise.all([
      migrateKeyspace(newClient(), { keyspace: ks, replication: TEST_REPLICATION }),
      migrateKeyspace(newClient(), { keyspace: ks, replication: TEST_REPLICATION }),
    ]);
    const all = ["001_messages", "002_message_changes", "003_messages_by_client_msg"];
    expect([...a.applied, ...b.applied].sort()).toEqual(all);
    expect(a.versions).toEqual(all);
    expect(b.versions).toEqual(all);

    const third = newClient();
    const again = await migrateKeyspace(third, { keyspace: ks, replication: TEST_REPLICATION });
    expect(again).toEqual({ keyspace: ks, applied: [], versions: all });
    expect(third.keyspace).toBe(ks); // session keyspace set even when nothing was applied
    await third.execute("SELECT last_seq FROM conversation_heads LIMIT 1"); // unqualified names now resolve
    expect(await recordedVersions(ks)).toEqual(all);

    const keyspace = await admin.execute(
      "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
      [ks],
      { prepare: true },
    );
    const replication = keyspace.first().get("replication") as Record<string, string>;
    expect(replication["class"]).toMatch(/SimpleStrategy$/);
    expect(replication["replication_factor"]).toBe("1");

    const columns = await admin.execute(
      "SELECT table_name, column_name, kind, clustering_order, type FROM system_schema.columns WHERE keyspace_name = ?",
      [ks],
      { prepare: true },
    );
    const col = (table: string, column: string) =>
      columns.rows.find((r) => r.get("table_name") === table && r.get("column_name") === column);
    expect(col("messages", "conversation_id")?.get("kind")).toBe("partition_key");
    expect(col("messages", "bucket")?.get("kind")).toBe("partition_key");
    expect(col("messages", "bucket")?.get("type")).toBe("bigint");
    expect(col("messages", "seq")?.get("kind")).toBe("clustering");
    expect(col("messages", "seq")?.get("clustering_order")).toBe("desc");
    for (const c of [
      "message_id",
      "sender_id",
      "client_msg_id",
      "body",
      "kind",
      "created_at",
      "edited_at",
      "deleted",
    ]) {
      expect(col("messages", c), c).toBeDefined();
    }
    expect(col("messages_by_id", "message_id")?.get("kind")).toBe("partition_key");
    expect(col("conversation_heads", "last_seq")?.get("type")).toBe("bigint");
  });

  it("applies only unapplied files in order, records each, and releases its lock on failure", async () => {
    const ks = freshKeyspace();
    const files: Record<string, string> = {
      "001_one.cql": "-- first\nCREATE TABLE IF NOT EXISTS t1 (id int PRIMARY KEY);\n",
      "002_two.cql":
        "CREATE TABLE IF NOT EXISTS t2 (id int PRIMARY KEY);\nALTER TABLE t1 ADD IF NOT EXISTS note text;\n",
    };
    const dir = await tempMigrations(files);
    const opts = {
      keyspace: ks,
      replication: TEST_REPLICATION,
      migrationsDir: dir,
      lockTimeoutMs: 5_000,
    };

    expect((await migrateKeyspace(newClient(), opts)).applied).toEqual(["001_one", "002_two"]);
    await writeFile(
      join(dir, "003_three.cql"),
      "INSERT INTO t1 (id, note) VALUES (1, 'from 003');",
    );
    expect((await migrateKeyspace(newClient(), opts)).applied).toEqual(["003_three"]);
    expect(await recordedVersions(ks)).toEqual(["001_one", "002_two", "003_three"]);
    const row = await admin.execute(`SELECT note FROM ${ks}.t1 WHERE id = 1`);
    expect(row.first().get("note")).toBe("from 003");

    await writeFile(
      join(dir, "004_broken.cql"),
      "CREATE TABLE IF NOT EXISTS t4 (id int PRIMARY KEY);\nTHIS IS NOT CQL;",
    );
    await expect(migrateKeyspace(newClient(), opts)).rejects.toThrow(/004_broken/);
    expect(await recordedVersions(ks)).toEqual(["001_one", "002_two", "003_three"]);

    // fixed file: re-runs the half-applied migration (hence idempotent DDL) without waiting for a stale lock
    await writeFile(
      join(dir, "004_broken.cql"),
      "CREATE TABLE IF NOT EXISTS t4 (id int PRIMARY KEY);",
    );
    const started = Date.now();
    expect((await migrateKeyspace(newClient(), opts)).applied).toEqual(["004_broken"]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("rejects unsafe keyspace names and replication without a class", async () => {
    await expect(
      migrateKeyspace(admin, { keyspace: "x; DROP KEYSPACE y", replication: TEST_REPLICATION }),
    ).rejects.toThrow(TypeError);
    await expect(
      migrateKeyspace(admin, { keyspace: "ok_name", replication: { class: "" } }),
    ).rejects.toThrow(TypeError);
  });
});
