import { describe, expect, it } from "vitest";
import { loadRealtimeEnv } from "./env";

const valid = {
  DATABASE_URL: "postgresql://u:p@127.0.0.1:5432/db",
  REDIS_URL: "redis://127.0.0.1:6379/0",
  CASSANDRA_CONTACT_POINTS: "127.0.0.1:9042",
  CASSANDRA_LOCAL_DC: "datacenter1",
  CASSANDRA_KEYSPACE: "relay_dev",
  CASSANDRA_REPLICATION: '{"class":"SimpleStrategy","replication_factor":1}',
  JWT_SECRET: "s".repeat(40),
};

describe("realtime env", () => {
  it("accepts a complete environment and applies defaults", () => {
    const env = loadRealtimeEnv(valid);
    expect(env.REALTIME_PORT).toBe(4000);
    expect(env.CASSANDRA_REPLICATION).toEqual({ class: "SimpleStrategy", replication_factor: 1 });
  });

  it("names each missing or bad variable and never prints secret values", () => {
    const secret = "tooshort-secret";
    const run = () =>
      loadRealtimeEnv({
        ...valid,
        DATABASE_URL: undefined,
        JWT_SECRET: secret,
        REALTIME_PORT: "http",
      });
    expect(run).toThrow(/DATABASE_URL/);
    expect(run).toThrow(/JWT_SECRET/);
    expect(run).toThrow(/REALTIME_PORT/);
    try {
      run();
    } catch (err) {
      expect(String(err)).not.toContain(secret);
    }
  });
});
