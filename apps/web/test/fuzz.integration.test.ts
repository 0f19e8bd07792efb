// Bounded, seeded fuzzing of every REST route that takes a body (and the
// path and query of those that take ids): valid requests mutated by
// @relay/tooling/fuzz, plus raw bodies that are not JSON at all. Whatever
// arrives, the answer is 2xx or the contract's error envelope with a 4xx
// status — never 5xx, never INTERNAL — and nothing invalid is stored: every
// row the run created belongs to a request that was answered 2xx, and holds
// text that passes the shared schemas.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "@relay/shared/errors";
import { ZDisplayNameSchema, ZGroupTitleSchema } from "@relay/shared/schemas";
import { createFuzzer } from "@relay/tooling/fuzz";
import { POST as refresh } from "../src/app/api/v1/auth/refresh/route";
import { POST as signup } from "../src/app/api/v1/auth/signup/route";
import { POST as token } from "../src/app/api/v1/auth/token/route";
import { POST as leave } from "../src/app/api/v1/conversations/[id]/leave/route";
import { POST as addMembers } from "../src/app/api/v1/conversations/[id]/members/route";
import { GET as history } from "../src/app/api/v1/conversations/[id]/messages/route";
import { PATCH as settings } from "../src/app/api/v1/conversations/[id]/settings/route";
import { POST as createConversation } from "../src/app/api/v1/conversations/route";
import { POST as registerDevice } from "../src/app/api/v1/devices/route";
import { PATCH as pushSettings } from "../src/app/api/v1/me/push/route";
import { POST as report } from "../src/app/api/v1/reports/route";
import { GET as searchUsers } from "../src/app/api/v1/users/route";
import { getDeps } from "../src/server/deps";
import type { RouteHandler } from "../src/server/route";
import { PASSWORD, call, newAccount, type CallOptions } from "./helpers";

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const CASES = Number(process.env.FUZZ_CASES ?? 1500);

interface Target {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- routes differ only in their params
  handler: RouteHandler<any>;
  method: string;
  /** A request the route accepts (before mutation). */
  valid: () => { body?: Record<string, unknown>; params?: Record<string, string> };
  /** Mutate the query instead of the body. */
  query?: () => Record<string, unknown>;
}

describe("fuzzing the REST API", () => {
  it(`answers ${CASES} hostile requests (seed ${SEED}) with 2xx or a 4xx envelope, storing nothing invalid`, async () => {
    const me = await newAccount();
    const friend = await newAccount();
    const runDomain = `fuzz-${randomUUID().slice(0, 8)}.relay`;
    const created = await call(createConversation, {
      token: me.accessToken,
      body: { type: "group", title: "Fuzz", memberIds: [friend.id] },
    });
    const groupId = (created.body as { conversation: { id: string } }).conversation.id;
    const { random, pick, mutate } = createFuzzer(SEED, [randomUUID(), groupId, friend.id]);

    const targets: Target[] = [
      {
        name: "signup",
        handler: signup,
        method: "POST",
        valid: () => ({
          body: { email: `u-${randomUUID()}@${runDomain}`, password: PASSWORD, name: "Fuzz" },
        }),
      },
      {
        name: "token",
        handler: token,
        method: "POST",
        valid: () => ({ body: { email: me.email, password: "wrong password!" } }),
      },
      {
        name: "refresh",
        handler: refresh,
        method: "POST",
        valid: () => ({ body: { refreshToken: randomUUID() } }),
      },
      {
        name: "create conversation",
        handler: createConversation,
        method: "POST",
        valid: () => ({
          body:
            random() < 0.5
              ? { type: "group", title: "g", memberIds: [friend.id] }
              : { type: "direct", userId: friend.id },
        }),
      },
      {
        name: "add members",
        handler: addMembers,
        method: "POST",
        valid: () => ({ body: { userIds: [friend.id] }, params: { id: groupId } }),
      },
      {
        name: "settings",
        handler: settings,
        method: "PATCH",
        valid: () => ({ body: { mutedUntil: null }, params: { id: groupId } }),
      },
      {
        name: "devices",
        handler: registerDevice,
        method: "POST",
        valid: () => ({ body: { platform: "fcm", token: `tok-${randomUUID()}` } }),
      },
      {
        name: "push settings",
        handler: pushSettings,
        method: "PATCH",
        valid: () => ({ body: { preview: "sender" } }),
      },
      {
        name: "report",
        handler: report,
        method: "POST",
        valid: () => ({
          body: { conversationId: groupId, messageId: randomUUID(), category: "SPAM" },
        }),
      },
      {
        name: "history",
        handler: history,
        method: "GET",
        valid: () => ({ params: { id: groupId } }),
        query: () => ({ limit: "10", beforeSeq: "5" }),
      },
      {
        name: "search users",
        handler: searchUsers,
        method: "GET",
        valid: () => ({}),
        query: () => ({ query: "Fuzz" }),
      },
      {
        name: "leave (a random group)",
        handler: leave,
        method: "POST",
        valid: () => ({ params: { id: randomUUID() } }),
      },
    ];

    const codes = new Map<string, number>();
    const createdConversations = new Set<string>([groupId]);
    const registeredDevices = new Set<string>();
    let signups = 0;
    for (let i = 0; i < CASES; i++) {
      const target = pick(targets);
      const base = target.valid();
      const opts: CallOptions = { method: target.method, token: me.accessToken };
      const roll = random();
      if (target.query) {
        const q = roll < 0.85 ? mutate(target.query()) : target.query();
        opts.query = Object.fromEntries(
          Object.entries(q && typeof q === "object" ? q : { q }).map(([k, v]) => [k, String(v)]),
        );
      }
      if (base.params)
        opts.params =
          roll < 0.15 ? { id: pick(["%E0%A4%A", "not-a-uuid", "\u0000", ""]) } : base.params;
      if (base.body) {
        if (roll > 0.95) opts.body = pick(["{", "null", "[]", '"x"', "\u0000", "{}}"]);
        else opts.body = roll < 0.85 ? mutate(base.body) : base.body;
      }
      const res = await call(target.handler, opts);
      const what = `${target.name} ${JSON.stringify(opts.body ?? opts.query ?? opts.params)?.slice(0, 160)}`;
      expect(res.status, what).toBeLessThan(500);
      if (res.status >= 400) {
        const error = (res.body as { ok?: boolean; error?: { code?: string } }).error;
        expect((res.body as { ok?: boolean }).ok, what).toBe(false);
        expect(ERROR_CODES as readonly string[], what).toContain(error?.code);
        codes.set(error!.code!, (codes.get(error!.code!) ?? 0) + 1);
      } else {
        codes.set("OK", (codes.get("OK") ?? 0) + 1);
        const body = res.body as {
          conversation?: { id: string };
          device?: { id: string };
          user?: { id: string };
        };
        if (target.name === "create conversation" && body.conversation)
          createdConversations.add(body.conversation.id);
        if (target.name === "devices" && body.device) registeredDevices.add(body.device.id);
        if (target.name === "signup") signups++;
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }

    // Everything stored came from a request answered 2xx, and is valid text.
    const { db } = getDeps();
    const conversations = await db.conversation.findMany({
      where: { createdById: me.id },
      select: { id: true, title: true },
    });
    expect(new Set(conversations.map((c) => c.id))).toEqual(createdConversations);
    for (const c of conversations)
      if (c.title !== null)
        expect(ZGroupTitleSchema.safeParse(c.title).success, c.title).toBe(true);
    const devices = await db.device.findMany({ where: { userId: me.id }, select: { id: true } });
    expect(new Set(devices.map((d) => d.id))).toEqual(registeredDevices);
    const users = await db.user.findMany({
      where: { email: { endsWith: `@${runDomain}` } },
      select: { name: true },
    });
    expect(users).toHaveLength(signups);
    for (const u of users) expect(ZDisplayNameSchema.safeParse(u.name).success).toBe(true);
    // The run exercised refusals, not just the happy path.
    expect(codes.get("INVALID_PAYLOAD") ?? 0).toBeGreaterThan(CASES / 3);
    expect(codes.get("OK") ?? 0).toBeGreaterThan(CASES / 20);
  }, 240_000);
});
