// The worker's env: defaults, all-or-nothing APNs credentials, stand-ins never in production.
import { describe, expect, it } from "vitest";
import { EnvError } from "@relay/shared/env";
import { loadPushEnv } from "./env";

const STORES = {
  DATABASE_URL: "postgresql://relay:relay@127.0.0.1:5432/relay_test",
  REDIS_URL: "redis://127.0.0.1:6379/1",
  CASSANDRA_CONTACT_POINTS: "127.0.0.1:9042",
  CASSANDRA_LOCAL_DC: "datacenter1",
  CASSANDRA_KEYSPACE: "relay_test",
};
const problems = (env: Record<string, string>) => {
  try {
    loadPushEnv({ ...STORES, ...env });
    return [];
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    return err.problems.map((p) => p.name);
  }
};

describe("push env", () => {
  it("has working defaults and no providers", () => {
    const env = loadPushEnv(STORES);
    expect(env).toMatchObject({
      PUSH_METRICS_PORT: 4100,
      PUSH_MAX_ATTEMPTS: 8,
      PUSH_AWAY_DELAY_S: 120,
      PUSH_APNS_PRODUCTION: false,
    });
    expect(env.PUSH_FCM_SERVICE_ACCOUNT).toBeUndefined();
  });

  it("wants all four APNs variables or none, and names the missing ones", () => {
    expect(problems({ PUSH_APNS_KEY_FILE: "/k.p8", PUSH_APNS_TEAM_ID: "T" })).toEqual([
      "PUSH_APNS_KEY_ID",
      "PUSH_APNS_TOPIC",
    ]);
  });

  it("refuses stand-ins in production and wants their CA", () => {
    const standin = {
      PUSH_FCM_STANDIN: "127.0.0.1:4443",
      PUSH_FCM_STANDIN_TOKEN: "t",
      PUSH_FCM_PROJECT_ID: "p",
    };
    expect(problems(standin)).toEqual(["PUSH_STANDIN_CA_FILE"]);
    expect(
      problems({ ...standin, PUSH_STANDIN_CA_FILE: "/ca.pem", NODE_ENV: "production" }),
    ).toEqual(["PUSH_FCM_STANDIN"]);
    expect(problems({ PUSH_BACKOFF_BASE_MS: "5000", PUSH_BACKOFF_MAX_MS: "1000" })).toEqual([
      "PUSH_BACKOFF_MAX_MS",
    ]);
    expect(problems({ PUSH_CONCURRENCY: "0" })).toEqual(["PUSH_CONCURRENCY"]);
  });
});
