// Postgres: detect → start if installed → install with apt if missing; then
// make sure the role and database in DATABASE_URL exist.
import { existsSync, readdirSync } from "node:fs";
import {
  aptInstall,
  has,
  isRoot,
  log,
  must,
  run,
  tcpOpen,
  waitFor,
  ProvisionError,
} from "./proc.mjs";

const isLocal = (host) => ["127.0.0.1", "localhost", "::1"].includes(host);

function clusters() {
  if (!existsSync("/etc/postgresql")) return [];
  return readdirSync("/etc/postgresql").flatMap((v) =>
    existsSync(`/etc/postgresql/${v}`)
      ? readdirSync(`/etc/postgresql/${v}`).map((c) => [v, c])
      : [],
  );
}

/** Run SQL as a Postgres superuser: over TCP as `postgres` first, else via the local socket as the postgres OS user. */
function superSql(port, sql) {
  const tcp = run(
    "psql",
    [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "postgres",
      "-d",
      "postgres",
      "-v",
      "ON_ERROR_STOP=1",
      "-tAc",
      sql,
    ],
    {
      env: { ...process.env, PGCONNECT_TIMEOUT: "5" },
    },
  );
  if (tcp.status === 0) return tcp.stdout.trim();
  if (isRoot() && has("runuser")) {
    return must(
      "runuser",
      [
        "-u",
        "postgres",
        "--",
        "psql",
        "-p",
        String(port),
        "-d",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
        "-tAc",
        sql,
      ],
      "psql as postgres",
    ).trim();
  }
  throw new ProvisionError(
    `cannot run SQL as the postgres superuser on port ${port}: ${tcp.stderr.trim()}`,
  );
}

export async function ensurePostgres(databaseUrl) {
  const url = new URL(databaseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 5432);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const db = url.pathname.slice(1);
  if (!(await tcpOpen(host, port))) {
    if (!isLocal(host))
      throw new ProvisionError(`Postgres at ${host}:${port} is not reachable (DATABASE_URL)`);
    if (clusters().length === 0) aptInstall(["postgresql"], "Postgres is not installed");
    for (const [v, c] of clusters()) {
      log(`starting Postgres ${v}/${c}…`);
      must(
        "pg_ctlcluster",
        ["--skip-systemctl-redirect", v, c, "start"],
        `start Postgres ${v}/${c}`,
        { stdio: "ignore" },
      );
    }
    await waitFor(`Postgres (${host}:${port})`, () => tcpOpen(host, port), 60_000);
  }
  if (!isLocal(host)) return;
  const q = (s) => s.replace(/'/g, "''");
  superSql(
    port,
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${q(user)}') THEN CREATE ROLE "${user}" LOGIN CREATEDB PASSWORD '${q(password)}'; END IF; END $$;`,
  );
  const exists = superSql(port, `SELECT 1 FROM pg_database WHERE datname = '${q(db)}'`);
  if (exists !== "1") {
    log(`creating database ${db}…`);
    superSql(port, `CREATE DATABASE "${db}" OWNER "${user}"`);
  }
}
