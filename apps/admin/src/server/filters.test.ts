import { describe, expect, it } from "vitest";
import { ZAdminUserQuerySchema, ZAuditQuerySchema } from "@relay/shared/schemas";
import { auditFilterInput, pick, toInstant, userFilterInput } from "./filters";

describe("URL filters → list schemas", () => {
  it("turns the forms' UTC dates into instants covering whole days and minutes", () => {
    expect(toInstant("2026-12-01", "start")).toBe("2026-12-01T00:00:00.000Z");
    expect(toInstant("2026-12-01", "end")).toBe("2026-12-01T23:59:59.999Z");
    expect(toInstant("2026-12-01T10:30", "start")).toBe("2026-12-01T10:30:00.000Z");
    expect(toInstant("2026-12-01T10:30", "end")).toBe("2026-12-01T10:30:59.999Z");
    expect(toInstant("yesterday", "start")).toBe("yesterday"); // left for the schema to refuse
    expect(toInstant(undefined, "end")).toBeUndefined();
  });

  it("passes only known, non-blank keys (first value of repeated ones)", () => {
    expect(
      pick({ query: " ann ", role: "", junk: "x", status: ["BANNED", "ACTIVE"] }, [
        "query",
        "role",
        "status",
      ]),
    ).toEqual({
      query: "ann",
      status: "BANNED",
    });
  });

  it("builds input the shared schemas accept, and refuse when it is wrong", () => {
    const users = ZAdminUserQuerySchema.safeParse(
      userFilterInput({
        query: "ann",
        createdFrom: "2026-11-01",
        lastSeenTo: "2026-12-01",
        page: "2",
      }),
    );
    expect(users.data).toMatchObject({
      query: "ann",
      createdFrom: "2026-11-01T00:00:00.000Z",
      lastSeenTo: "2026-12-01T23:59:59.999Z",
    });
    expect(ZAdminUserQuerySchema.safeParse(userFilterInput({ createdTo: "soon" })).success).toBe(
      false,
    );
    const audit = auditFilterInput(
      { action: "user.banned", from: "2026-12-01T08:00", cursor: "abc" },
      { cursor: false },
    );
    expect(audit).toEqual({
      action: "user.banned",
      from: "2026-12-01T08:00:00.000Z",
      to: undefined,
    });
    expect(ZAuditQuerySchema.safeParse(audit).success).toBe(true);
  });
});
