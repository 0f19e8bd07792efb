import { describe, expect, it } from "vitest";
import { SAMPLE_ENV } from "../test/env-sample";
import { loadRealtimeEnv } from "./env";

const valid = SAMPLE_ENV;

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
