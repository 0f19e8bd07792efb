import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@relay/shared/errors";
import { TEST_PASSWORD, createTestUser, openTestStores, type TestStores } from "../testing";
import {
  USER_SEARCH_LIMIT,
  authenticate,
  requireActiveUser,
  searchUsers,
  signUp,
  toPublicUser,
} from "./users";

const s: TestStores = openTestStores();
afterAll(async () => {
  await s?.close();
});

const email = () => `signup-${randomUUID()}@test.relay`;

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return (err as AppError).code;
}

describe("signUp", () => {
  it("creates an active user with an Argon2id hash, never the password", async () => {
    const address = email();
    const user = await signUp(s, { email: address, password: TEST_PASSWORD, name: "Sam" });
    expect(user).toMatchObject({ email: address, name: "Sam", role: "USER", status: "ACTIVE" });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(TEST_PASSWORD);
  });

  it("rejects a taken email with CONFLICT, also when two sign-ups race", async () => {
    const address = email();
    await signUp(s, { email: address, password: TEST_PASSWORD, name: "First" });
    expect(
      await codeOf(signUp(s, { email: address, password: TEST_PASSWORD, name: "Second" })),
    ).toBe("CONFLICT");

    const raced = email();
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) =>
        signUp(s, { email: raced, password: TEST_PASSWORD, name: `Racer ${n}` }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) {
      expect((r.reason as AppError).code).toBe("CONFLICT");
    }
  });
});

describe("authenticate", () => {
  it("returns the user for the right password", async () => {
    const user = await createTestUser(s.db);
    expect((await authenticate(s, { email: user.email, password: TEST_PASSWORD })).id).toBe(
      user.id,
    );
  });

  it("answers a wrong password and an unknown email with the same UNAUTHORIZED message", async () => {
    const user = await createTestUser(s.db);
    const wrong = await authenticate(s, { email: user.email, password: "not the password" }).catch(
      (e: unknown) => e,
    );
    const unknown = await authenticate(s, { email: email(), password: TEST_PASSWORD }).catch(
      (e: unknown) => e,
    );
    expect(wrong).toBeInstanceOf(AppError);
    expect(unknown).toBeInstanceOf(AppError);
    expect((wrong as AppError).code).toBe("UNAUTHORIZED");
    expect((unknown as AppError).code).toBe("UNAUTHORIZED");
    expect((wrong as AppError).message).toBe((unknown as AppError).message);
  });

  it("refuses suspended and banned accounts with FORBIDDEN, but only after the password matched", async () => {
    const suspended = await createTestUser(s.db, { status: "SUSPENDED" });
    const banned = await createTestUser(s.db, { status: "BANNED" });
    await expect(
      authenticate(s, { email: suspended.email, password: TEST_PASSWORD }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "account suspended",
    });
    await expect(
      authenticate(s, { email: banned.email, password: TEST_PASSWORD }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "account banned",
    });
    expect(await codeOf(authenticate(s, { email: banned.email, password: "wrong password" }))).toBe(
      "UNAUTHORIZED",
    );
  });

  it("requireActiveUser refuses unknown users (UNAUTHORIZED) and suspended ones (FORBIDDEN)", async () => {
    const active = await createTestUser(s.db);
    const suspended = await createTestUser(s.db, { status: "SUSPENDED" });
    expect((await requireActiveUser(s, active.id)).id).toBe(active.id);
    expect(await codeOf(requireActiveUser(s, suspended.id))).toBe("FORBIDDEN");
    expect(await codeOf(requireActiveUser(s, randomUUID()))).toBe("UNAUTHORIZED");
  });
});

describe("searchUsers", () => {
  it("matches name or email case-insensitively, only active users, never the caller", async () => {
    const tag = randomUUID().slice(0, 8);
    const caller = await createTestUser(s.db, { name: `Caller ${tag}` });
    const byName = await createTestUser(s.db, { name: `Zed ${tag.toUpperCase()} Person` });
    const byEmail = await createTestUser(s.db, {
      email: `${tag}-mail@test.relay`,
      name: "Someone Else",
    });
    await createTestUser(s.db, { name: `Suspended ${tag}`, status: "SUSPENDED" });
    await createTestUser(s.db, { name: `Banned ${tag}`, status: "BANNED" });

    const found = await searchUsers(s, { query: tag, callerId: caller.id });
    expect(found.map((u) => u.id).sort()).toEqual([byName.id, byEmail.id].sort());
    expect(found.every((u) => u.email === undefined)).toBe(true);

    const asAdmin = await searchUsers(s, { query: tag, callerId: caller.id, callerRole: "ADMIN" });
    expect(asAdmin.find((u) => u.id === byEmail.id)?.email).toBe(byEmail.email);
  });

  it(`returns at most ${USER_SEARCH_LIMIT} people and treats % and _ literally`, async () => {
    const tag = randomUUID().slice(0, 8);
    const caller = await createTestUser(s.db);
    await Promise.all(
      Array.from({ length: USER_SEARCH_LIMIT + 3 }, (_, i) =>
        createTestUser(s.db, { name: `Many ${tag} ${i}` }),
      ),
    );
    expect(await searchUsers(s, { query: tag, callerId: caller.id })).toHaveLength(
      USER_SEARCH_LIMIT,
    );
    expect(await searchUsers(s, { query: `${tag.slice(0, 4)}%`, callerId: caller.id })).toEqual([]);
    expect(await searchUsers(s, { query: `Many_${tag}`, callerId: caller.id })).toEqual([]);
    const literal = await createTestUser(s.db, { name: `100%_${tag}` });
    expect(
      (await searchUsers(s, { query: `0%_${tag}`, callerId: caller.id })).map((u) => u.id),
    ).toEqual([literal.id]);
  });
});

describe("toPublicUser", () => {
  it("includes the email only when asked", async () => {
    const user = await createTestUser(s.db);
    expect(toPublicUser(user)).toEqual({
      id: user.id,
      name: user.name,
      role: "USER",
      status: "ACTIVE",
      lastSeenAt: null,
    });
    expect(toPublicUser(user, { includeEmail: true }).email).toBe(user.email);
  });
});
