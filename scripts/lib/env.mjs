// The environment the scripts hand to the apps: .env (created from
// .env.example with generated secrets on first use) plus a profile.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { log } from "./proc.mjs";
import { root } from "./paths.mjs";

export function parseDotenv(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

/** Create .env from .env.example if missing, generating the secrets. */
export function ensureDotenv() {
  const file = path.join(root, ".env");
  if (!existsSync(file)) {
    const example = readFileSync(path.join(root, ".env.example"), "utf8");
    writeFileSync(
      file,
      example.replaceAll("<generated>", () => randomBytes(32).toString("base64url")),
      { mode: 0o600 },
    );
    log("created .env from .env.example (secrets generated locally)");
  }
  return parseDotenv(readFileSync(file, "utf8"));
}

/** Test profile: separate database, Redis db/prefix and keyspace; fixed throwaway secrets. */
const testProfile = {
  NODE_ENV: "test",
  DATABASE_URL: "postgresql://relay:relay@127.0.0.1:5432/relay_test",
  REDIS_URL: "redis://127.0.0.1:6379/1",
  REDIS_PREFIX: "relay:test:",
  CASSANDRA_CONTACT_POINTS: "127.0.0.1:9042",
  CASSANDRA_LOCAL_DC: "datacenter1",
  CASSANDRA_KEYSPACE: "relay_test",
  CASSANDRA_REPLICATION: '{"class":"SimpleStrategy","replication_factor":1}',
  LOG_LEVEL: "warn",
  LOG_FORMAT: "json",
  // Realtime nodes' internal port (/metrics): any free one; nodes announce it in the registry.
  REALTIME_METRICS_PORT: "0",
  // Every test client connects from 127.0.0.1: the per-IP handshake limit is tested on its own.
  REALTIME_HANDSHAKE_LIMIT: "1000000",
};

/**
 * profile "dev": process env over .env. profile "test": the test profile,
 * generated secrets, and RELAY_TEST_* overrides from the process env.
 */
export function loadEnv(profile) {
  if (profile === "test") {
    const base = {
      ...parseDotenv(readFileSync(path.join(root, ".env.example"), "utf8")),
      ...testProfile,
    };
    base.JWT_SECRET = randomBytes(32).toString("base64url");
    base.AUTH_SECRET = randomBytes(32).toString("base64url");
    for (const [k, v] of Object.entries(process.env))
      if (k.startsWith("RELAY_TEST_") && v) base[k.slice(11)] = v;
    return base;
  }
  return { ...ensureDotenv(), ...pickDefined(process.env) };
}

function pickDefined(env) {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}
