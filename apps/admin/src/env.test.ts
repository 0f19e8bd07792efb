import { describe, expect, it } from "vitest";
import { ZAdminEnvSchema } from "./env";

describe("admin env", () => {
  it("needs nothing yet and applies defaults", () => {
    expect(ZAdminEnvSchema.parse({})).toEqual({ NODE_ENV: "development", LOG_LEVEL: "info" });
  });

  it("refuses a bad LOG_LEVEL or LOG_FORMAT, naming the variable", () => {
    const res = ZAdminEnvSchema.safeParse({ LOG_LEVEL: "loud", LOG_FORMAT: "xml" });
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path.join("."))).toEqual(["LOG_LEVEL", "LOG_FORMAT"]);
  });
});
