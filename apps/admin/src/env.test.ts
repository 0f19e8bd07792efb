import { describe, expect, it } from "vitest";
import { ZAdminEnvSchema } from "./env";

const STORES = {
  DATABASE_URL: "postgresql://relay:relay@127.0.0.1:5432/relay_test",
  REDIS_URL: "redis://127.0.0.1:6379/1",
  CASSANDRA_CONTACT_POINTS: "127.0.0.1:9042",
  CASSANDRA_LOCAL_DC: "datacenter1",
  CASSANDRA_KEYSPACE: "relay_test",
};
const SECRET = "a-test-secret-that-is-long-enough-0123456789";

describe("admin env", () => {
  it("needs the stores and AUTH_SECRET, and applies defaults", () => {
    expect(ZAdminEnvSchema.parse({ ...STORES, AUTH_SECRET: SECRET })).toEqual({
      ...STORES,
      AUTH_SECRET: SECRET,
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      REDIS_PREFIX: "relay:",
      ADMIN_REQUIRE_2FA: false,
      WEB_URL: "http://localhost:3000",
      PORT: 3001,
      TRUSTED_PROXIES: [],
    });
  });

  it("reads TRUSTED_PROXIES as a list of addresses and CIDRs, naming a bad entry", () => {
    const parse = (v: string) =>
      ZAdminEnvSchema.safeParse({ ...STORES, AUTH_SECRET: SECRET, TRUSTED_PROXIES: v });
    expect(parse(" 10.0.0.0/8, ::1 ,192.168.1.1/32").data?.TRUSTED_PROXIES).toEqual([
      "10.0.0.0/8",
      "::1",
      "192.168.1.1/32",
    ]);
    for (const bad of ["10.0.0.0/33", "10.0.0/8", "proxy.internal", "::1/129", "10.0.0.0/8/1"])
      expect(
        parse(`127.0.0.1,${bad}`).error?.issues.map((i) => i.path.join(".")),
        bad,
      ).toEqual(["TRUSTED_PROXIES.1"]);
  });

  it("reads ADMIN_REQUIRE_2FA as a boolean from true/false only", () => {
    const parse = (v: string) =>
      ZAdminEnvSchema.safeParse({ ...STORES, AUTH_SECRET: SECRET, ADMIN_REQUIRE_2FA: v });
    expect(parse("true").data?.ADMIN_REQUIRE_2FA).toBe(true);
    expect(parse("FALSE").data?.ADMIN_REQUIRE_2FA).toBe(false);
    expect(parse("yes").error?.issues.map((i) => i.path.join("."))).toEqual(["ADMIN_REQUIRE_2FA"]);
  });

  it("refuses a missing secret, bad LOG_LEVEL or LOG_FORMAT, naming each variable", () => {
    const res = ZAdminEnvSchema.safeParse({ ...STORES, LOG_LEVEL: "loud", LOG_FORMAT: "xml" });
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path.join(".")).sort()).toEqual([
      "AUTH_SECRET",
      "LOG_FORMAT",
      "LOG_LEVEL",
    ]);
  });
});
