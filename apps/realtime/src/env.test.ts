import { describe, expect, it } from "vitest";
import { SAMPLE_ENV } from "../test/env-sample";
import { loadRealtimeEnv } from "./env";

const valid = SAMPLE_ENV;

/** The message `fn` throws; fails the test when it does not throw. */
function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return String(err);
  }
  throw new Error("expected the call to throw");
}

describe("realtime env", () => {
  it("accepts a complete environment and applies defaults", () => {
    const env = loadRealtimeEnv(valid);
    expect(env.REALTIME_PORT).toBe(4000);
    expect(env.LOG_LEVEL).toBe("info");
    expect(env.PRESENCE_LEASE_TTL_MS).toBe(30_000);
  });

  it("REALTIME_ADAPTER: classic by default, sharded on request, nothing else", () => {
    expect(loadRealtimeEnv(valid).REALTIME_ADAPTER).toBe("classic");
    expect(loadRealtimeEnv({ ...valid, REALTIME_ADAPTER: "sharded" }).REALTIME_ADAPTER).toBe(
      "sharded",
    );
    expect(thrownMessage(() => loadRealtimeEnv({ ...valid, REALTIME_ADAPTER: "cluster" }))).toMatch(
      /REALTIME_ADAPTER/,
    );
  });

  it("REALTIME_HOST: every interface unless set", () => {
    expect(loadRealtimeEnv(valid).REALTIME_HOST).toBeUndefined();
    expect(loadRealtimeEnv({ ...valid, REALTIME_HOST: "127.0.0.1" }).REALTIME_HOST).toBe(
      "127.0.0.1",
    );
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
    const message = thrownMessage(run);
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).toMatch(/JWT_SECRET/);
    expect(message).toMatch(/REALTIME_PORT/);
    expect(message).not.toContain(secret);
  });
});
