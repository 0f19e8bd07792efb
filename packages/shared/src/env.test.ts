import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvError, parseEnv, zJson, zPort, zSecret, zUrl } from "./env";

const SECRET = "s3cr3t-value-that-is-long-enough-0123456789";
const schema = z.object({
  REALTIME_PORT: zPort,
  JWT_SECRET: zSecret,
  REDIS_URL: zUrl,
  LOG_LEVEL: z.enum(["debug", "info"]).default("info"),
  PUSH_CONFIG: zJson(z.object({ projectId: z.string() })).optional(),
});

function envError(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv("realtime", schema, source);
  } catch (err) {
    if (err instanceof EnvError) return err;
    throw err;
  }
  throw new Error("expected parseEnv to throw");
}

describe("parseEnv", () => {
  it("parses, coerces and applies defaults", () => {
    expect(
      parseEnv("realtime", schema, {
        REALTIME_PORT: "4000",
        JWT_SECRET: SECRET,
        REDIS_URL: "redis://localhost:6379",
        PUSH_CONFIG: '{"projectId":"relay"}',
        UNRELATED: "ignored",
      }),
    ).toEqual({
      REALTIME_PORT: 4000,
      JWT_SECRET: SECRET,
      REDIS_URL: "redis://localhost:6379",
      LOG_LEVEL: "info",
      PUSH_CONFIG: { projectId: "relay" },
    });
  });

  it("lists every missing or bad variable by name", () => {
    const err = envError({
      REALTIME_PORT: "four thousand",
      REDIS_URL: "not a url",
      LOG_LEVEL: "loud",
    });
    expect(err.message).toBe(
      [
        "[realtime] invalid environment:",
        "  - REALTIME_PORT: expected a number",
        "  - JWT_SECRET: required",
        "  - REDIS_URL: invalid url",
        '  - LOG_LEVEL: expected one of "debug", "info"',
      ].join("\n"),
    );
    expect(err.app).toBe("realtime");
    expect(err.problems.map((p) => p.name)).toEqual([
      "REALTIME_PORT",
      "JWT_SECRET",
      "REDIS_URL",
      "LOG_LEVEL",
    ]);
  });

  it("never prints values", () => {
    const shortSecret = "hunter2-short";
    const badJson = '{"projectId": hunter3}';
    const err = envError({
      REALTIME_PORT: "99999",
      JWT_SECRET: shortSecret,
      REDIS_URL: "redis://x",
      PUSH_CONFIG: badJson,
    });
    expect(err.message).toContain("  - JWT_SECRET: too short (min 32)");
    expect(err.message).toContain("  - REALTIME_PORT: too large (max 65535)");
    expect(err.message).toContain("  - PUSH_CONFIG: expected valid JSON");
    const everything = `${err.message} ${JSON.stringify(err)} ${String(err.stack)}`;
    expect(everything).not.toContain("hunter2");
    expect(everything).not.toContain("hunter3");
    expect(everything).not.toContain("99999");
  });

  it("names nested JSON fields", () => {
    const err = envError({
      REALTIME_PORT: "1",
      JWT_SECRET: SECRET,
      REDIS_URL: "redis://x",
      PUSH_CONFIG: '{"project":1}',
    });
    expect(err.problems).toEqual([{ name: "PUSH_CONFIG.projectId", problem: "required" }]);
  });

  it("treats empty strings as unset", () => {
    const err = envError({
      REALTIME_PORT: "",
      JWT_SECRET: SECRET,
      REDIS_URL: "redis://x",
      LOG_LEVEL: "",
    });
    expect(err.problems).toEqual([{ name: "REALTIME_PORT", problem: "required" }]);
  });

  it("reads only the schema's keys, even from a strict schema", () => {
    const strict = z.strictObject({ WEB_PORT: zPort });
    expect(parseEnv("web", strict, { WEB_PORT: "3000", PATH: "/usr/bin" })).toEqual({
      WEB_PORT: 3000,
    });
  });

  it("rejects non-integer and out-of-range ports", () => {
    const ports = z.object({ PORT: zPort });
    expect(() => parseEnv("web", ports, { PORT: "80.5" })).toThrow("PORT: expected an integer");
    expect(() => parseEnv("web", ports, { PORT: "0" })).toThrow("PORT: too small (min 1)");
  });
});
