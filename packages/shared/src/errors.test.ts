import { describe, expect, it } from "vitest";
import {
  AppError,
  ERROR_CODES,
  HTTP_STATUS_BY_CODE,
  fail,
  isErrorCode,
  ok,
  toErrorBody,
} from "./errors";

describe("error codes", () => {
  it("has an HTTP status for exactly the contract codes", () => {
    expect(Object.keys(HTTP_STATUS_BY_CODE).sort()).toEqual([...ERROR_CODES].sort());
    expect(HTTP_STATUS_BY_CODE).toEqual({
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      INVALID_PAYLOAD: 400,
      PAYLOAD_TOO_LARGE: 413,
      RATE_LIMITED: 429,
      CONFLICT: 409,
      UNAVAILABLE: 503,
      INTERNAL: 500,
    });
  });

  it("recognizes codes", () => {
    expect(isErrorCode("RATE_LIMITED")).toBe(true);
    expect(isErrorCode("rate_limited")).toBe(false);
    expect(isErrorCode(429)).toBe(false);
  });
});

describe("AppError", () => {
  it("carries code, status and details", () => {
    const cause = new Error("root");
    const err = new AppError("NOT_FOUND", "conversation not found", {
      details: { id: "x" },
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("AppError");
    expect(err.code).toBe("NOT_FOUND");
    expect(err.status).toBe(404);
    expect(err.message).toBe("conversation not found");
    expect(err.details).toEqual({ id: "x" });
    expect(err.cause).toBe(cause);
  });
});

describe("envelopes", () => {
  it("builds ok and fail acks", () => {
    expect(ok({ seq: 3 })).toEqual({ ok: true, data: { seq: 3 } });
    expect(fail("FORBIDDEN", "not a member")).toEqual({
      ok: false,
      error: { code: "FORBIDDEN", message: "not a member" },
    });
  });

  it("maps AppError to its own envelope without details", () => {
    const body = toErrorBody(
      new AppError("RATE_LIMITED", "slow down", { details: { bucket: "user:1" } }),
    );
    expect(body).toEqual({ ok: false, error: { code: "RATE_LIMITED", message: "slow down" } });
  });

  it("hides internal messages behind INTERNAL", () => {
    const secret = "connect ECONNREFUSED postgres://relay:hunter2@db:5432";
    for (const thrown of [
      new Error(secret),
      new TypeError(secret),
      secret,
      { message: secret },
      null,
      undefined,
    ]) {
      const body = toErrorBody(thrown);
      expect(body.ok).toBe(false);
      expect(body.error.code).toBe("INTERNAL");
      expect(JSON.stringify(body)).not.toContain("hunter2");
      expect(body.error.message).toBe("internal error");
    }
  });
});
