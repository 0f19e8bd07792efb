// The shared wrapper (src/server/route.ts): authentication, body limits,
// JSON parsing, strict validation and error mapping, through real routes.
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { AppError } from "@relay/shared/errors";
import { ZAckErrorSchema } from "@relay/shared/schemas";
import { GET as unknownRoute } from "../src/app/api/v1/[...path]/route";
import { POST as signup } from "../src/app/api/v1/auth/signup/route";
import { POST as addMembers } from "../src/app/api/v1/conversations/[id]/members/route";
import { GET as list, POST as create } from "../src/app/api/v1/conversations/route";
import { POST as registerDevice } from "../src/app/api/v1/devices/route";
import { getDeps } from "../src/server/deps";
import { MAX_BODY_BYTES, authedRoute, publicRoute } from "../src/server/route";
import { call, errorOf, newAccount } from "./helpers";

describe("authentication", () => {
  it("is 401 UNAUTHORIZED without a token, with a bad one, or with another scheme", async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer nope" },
      { authorization: "Basic dXNlcjpwYXNz" },
    ];
    for (const headers of variants) {
      const res = await call(list, { headers });
      expect(res.status).toBe(401);
      expect(errorOf(res).code).toBe("UNAUTHORIZED");
    }
  });

  it("rejects before reading the body", async () => {
    const res = await call(create, { body: "{not json" });
    expect(res.status).toBe(401);
  });
});

describe("request bodies", () => {
  it("malformed JSON is 400 INVALID_PAYLOAD", async () => {
    const me = await newAccount();
    const res = await call(create, { token: me.accessToken, body: '{"type": "direct",' });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({ code: "INVALID_PAYLOAD", message: "body: malformed JSON" });
    const empty = await call(create, {
      token: me.accessToken,
      body: "",
      headers: { "content-type": "application/json" },
    });
    expect(errorOf(empty).code).toBe("INVALID_PAYLOAD");
  });

  it(`a body over ${MAX_BODY_BYTES} bytes is 413 PAYLOAD_TOO_LARGE, declared or streamed`, async () => {
    const me = await newAccount();
    const big = JSON.stringify({ platform: "fcm", token: "x".repeat(MAX_BODY_BYTES) });
    const streamed = await call(registerDevice, { token: me.accessToken, body: big });
    expect(streamed.status).toBe(413);
    expect(errorOf(streamed).code).toBe("PAYLOAD_TOO_LARGE");
    const declared = await call(registerDevice, {
      token: me.accessToken,
      body: "{}",
      headers: { "content-length": String(MAX_BODY_BYTES + 1) },
    });
    expect(declared.status).toBe(413);
    // Unauthenticated routes are limited too.
    const anonymous = await call(signup, {
      body: JSON.stringify({ email: "a@b.co", password: "p".repeat(MAX_BODY_BYTES), name: "x" }),
    });
    expect(anonymous.status).toBe(413);
  });

  it("unknown keys are 400 INVALID_PAYLOAD naming them", async () => {
    const me = await newAccount();
    const res = await call(create, {
      token: me.accessToken,
      body: { type: "direct", userId: randomUUID(), admin: true },
    });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({ code: "INVALID_PAYLOAD", message: "unknown key: admin" });
  });

  it("a non-JSON Content-Type is 400 INVALID_PAYLOAD", async () => {
    const me = await newAccount();
    const res = await call(registerDevice, {
      token: me.accessToken,
      body: JSON.stringify({ platform: "fcm", token: "t" }),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(400);
    expect(errorOf(res).message).toContain("Content-Type");
  });

  it("a path id that is not a uuid is 400 INVALID_PAYLOAD", async () => {
    const me = await newAccount();
    const res = await call(addMembers, {
      token: me.accessToken,
      params: { id: "1 OR 1=1" },
      body: { userIds: [me.id] },
    });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({ code: "INVALID_PAYLOAD", message: "id: invalid uuid" });
  });
});

describe("errors", () => {
  it("AppErrors keep their code and status; anything else is 500 INTERNAL without details", async () => {
    const conflict = publicRoute(() => Promise.reject(new AppError("CONFLICT", "already there")));
    const boom = publicRoute(() =>
      Promise.reject(new Error("password=hunter2 at db.internal:5432")),
    );
    const r1 = await call(conflict);
    expect([r1.status, errorOf(r1)]).toEqual([409, { code: "CONFLICT", message: "already there" }]);
    // The real error goes to the server log (with its stack), never into the response.
    const logged = vi.spyOn(getDeps().logger, "error").mockImplementation(() => undefined);
    try {
      const r2 = await call(boom);
      expect(r2.status).toBe(500);
      expect(ZAckErrorSchema.parse(r2.body)).toEqual({
        ok: false,
        error: { code: "INTERNAL", message: "internal error" },
      });
      expect(JSON.stringify(r2.body)).not.toContain("hunter2");
      const [fields] = logged.mock.calls.at(-1) as unknown as [{ err: Error }];
      expect(fields.err.message).toContain("hunter2");
    } finally {
      logged.mockRestore();
    }
  });

  it("an unreachable store is 503 UNAVAILABLE", async () => {
    const down = authedRoute(() => {
      const err = new Error("All host(s) tried for query failed");
      err.name = "NoHostAvailableError";
      return Promise.reject(err);
    });
    const me = await newAccount();
    const warned = vi.spyOn(getDeps().logger, "warn").mockImplementation(() => undefined);
    try {
      const res = await call(down, { token: me.accessToken });
      expect([res.status, errorOf(res).code]).toEqual([503, "UNAVAILABLE"]);
      expect(warned).toHaveBeenCalledWith(
        expect.objectContaining({ err: expect.any(Error) as unknown }),
        "store unavailable",
      );
    } finally {
      warned.mockRestore();
    }
  });

  it("unknown /api/v1 routes answer 404 with the error body", async () => {
    const res = await call(() => Promise.resolve(unknownRoute()), { path: "/api/v1/nope" });
    expect([res.status, errorOf(res).code]).toEqual([404, "NOT_FOUND"]);
  });
});
