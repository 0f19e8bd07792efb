// The moderation use cases against real Postgres and Redis, with a recording
// event port: what each action changes, who may do it, what it tells the
// clients, and that every step leaves its audit entry.
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { User } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import { authenticateAccessToken } from "../auth/access";
import { issueTokenPair, refreshTokenPair } from "../auth/refresh-tokens";
import { sendMessage } from "../messages/send-message";
import { createTestUser, openTestStores } from "../testing";
import { effectiveStatus } from "../users/users";
import { listUsers } from "./admin-users";
import { auditToCsv, listAudit, type TModerationContext } from "./audit";
import { createDenyList, deniedBy, denyEntryFor } from "./deny-list";
import { listReportQueue, reportMessage, resolveReports } from "./reports";
import {
  banUser,
  changeRole,
  forceLogout,
  liftExpiredSuspensions,
  liftSanction,
  suspendUser,
} from "./sanctions";

const s = openTestStores();
afterAll(() => s.close());
beforeEach(() => {
  s.events.sent.length = 0;
  s.events.disconnected.length = 0;
});

const ctxOf = (u: User): TModerationContext => ({
  actor: { userId: u.id, role: u.role },
  ip: "203.0.113.7",
  userAgent: "vitest",
});
/** Reads the audit log in assertions (a moderator's view). */
const SYSTEM_READER: TModerationContext = { actor: { userId: randomUUID(), role: "MODERATOR" } };
const staff = async () => ({
  admin: await createTestUser(s.db, { role: "ADMIN" }),
  mod: await createTestUser(s.db, { role: "MODERATOR" }),
});
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );
const auditFor = async (targetId: string) =>
  (await listAudit(s, SYSTEM_READER, { targetId, limit: 50 })).entries
    .map((e) => e.action)
    .reverse();

describe("suspend, ban, lift, logout, role", () => {
  it("a moderator suspends: sessions end everywhere, tokens die, the audit says who and why", async () => {
    const { mod } = await staff();
    const user = await createTestUser(s.db);
    const pair = await issueTokenPair(s, user);
    const before = await authenticateAccessToken(s, pair.accessToken);
    expect(before.user.id).toBe(user.id);

    const result = await suspendUser(s, ctxOf(mod), {
      userId: user.id,
      reason: "spam wave",
      note: "third warning",
      durationMinutes: 60,
    });
    expect(result.status).toBe("SUSPENDED");
    expect(s.events.disconnected).toEqual([user.id]);
    expect(s.events.sent).toEqual([
      { userIds: [user.id], event: "session:revoked", payload: { reason: "suspended" } },
    ]);
    expect(await codeOf(authenticateAccessToken(s, pair.accessToken))).toBe("FORBIDDEN");
    expect(await codeOf(refreshTokenPair(s, pair.refreshToken))).toBe("UNAUTHORIZED");
    const entry = JSON.parse((await s.redis.get(s.keys.deny(user.id)))!) as ReturnType<
      typeof denyEntryFor
    >;
    expect(entry).toMatchObject({ userId: user.id, reason: "suspended" });
    const sanction = await s.db.sanction.findFirstOrThrow({ where: { userId: user.id } });
    expect(sanction).toMatchObject({
      kind: "SUSPENSION",
      reason: "spam wave",
      note: "third warning",
    });
    const [audit] = (await listAudit(s, SYSTEM_READER, { targetId: user.id, limit: 5 })).entries;
    expect(audit).toMatchObject({
      action: "user.suspended",
      actorId: mod.id,
      actorRole: "MODERATOR",
      reason: "spam wave",
      ip: "203.0.113.7",
      userAgent: "vitest",
      before: { status: "ACTIVE" },
      after: { status: "SUSPENDED" },
    });
  });

  it("enforces the role ladder", async () => {
    const { admin, mod } = await staff();
    const user = await createTestUser(s.db);
    const otherMod = await createTestUser(s.db, { role: "MODERATOR" });
    const plain = await createTestUser(s.db);
    const reason = "test";
    expect(
      await codeOf(
        suspendUser(s, ctxOf(plain), { userId: user.id, reason, durationMinutes: null }),
      ),
    ).toBe("FORBIDDEN");
    expect(await codeOf(banUser(s, ctxOf(mod), { userId: user.id, reason }))).toBe("FORBIDDEN");
    expect(
      await codeOf(
        suspendUser(s, ctxOf(mod), { userId: otherMod.id, reason, durationMinutes: null }),
      ),
    ).toBe("FORBIDDEN");
    expect(
      await codeOf(suspendUser(s, ctxOf(mod), { userId: admin.id, reason, durationMinutes: null })),
    ).toBe("FORBIDDEN");
    expect(await codeOf(forceLogout(s, ctxOf(mod), { userId: mod.id, reason }))).toBe("FORBIDDEN");
    expect(
      await codeOf(changeRole(s, ctxOf(mod), { userId: user.id, role: "MODERATOR", reason })),
    ).toBe("FORBIDDEN");
    expect(
      await codeOf(changeRole(s, ctxOf(admin), { userId: user.id, role: "ADMIN", reason })),
    ).toBe("FORBIDDEN");
    expect(
      await codeOf(
        suspendUser(s, ctxOf(mod), { userId: randomUUID(), reason, durationMinutes: null }),
      ),
    ).toBe("NOT_FOUND");
    // None of the refusals changed anything or wrote an audit entry.
    expect((await s.db.user.findUniqueOrThrow({ where: { id: user.id } })).status).toBe("ACTIVE");
    expect(await auditFor(user.id)).toEqual([]);
  });

  it("an admin bans and unbans; old sessions stay void after the unban", async () => {
    const { admin } = await staff();
    const user = await createTestUser(s.db);
    const pair = await issueTokenPair(s, user);
    await banUser(s, ctxOf(admin), { userId: user.id, reason: "fraud" });
    expect(await codeOf(banUser(s, ctxOf(admin), { userId: user.id, reason: "again" }))).toBe(
      "CONFLICT",
    );
    expect(await codeOf(authenticateAccessToken(s, pair.accessToken))).toBe("FORBIDDEN");
    const lifted = await liftSanction(s, ctxOf(admin), {
      userId: user.id,
      reason: "appeal accepted",
    });
    expect(lifted.status).toBe("ACTIVE");
    // The token from before the ban is still refused: the user signs in again.
    expect(await codeOf(authenticateAccessToken(s, pair.accessToken))).toBe("UNAUTHORIZED");
    const fresh = await issueTokenPair(
      s,
      await s.db.user.findUniqueOrThrow({ where: { id: user.id } }),
    );
    expect((await authenticateAccessToken(s, fresh.accessToken)).user.id).toBe(user.id);
    const entry = denyEntryFor(await s.db.user.findUniqueOrThrow({ where: { id: user.id } }));
    expect(deniedBy(entry, Date.now())).toBeNull();
    expect(deniedBy(entry, Date.now() - 60_000)).toBe("logged_out");
    expect(await auditFor(user.id)).toEqual(["user.banned", "user.unbanned"]);
    const sanctions = await s.db.sanction.findMany({ where: { userId: user.id } });
    expect(sanctions.map((x) => [x.kind, x.liftReason])).toEqual([["BAN", "appeal accepted"]]);
  });

  it("a timed suspension ends by itself and the sweeper writes it down", async () => {
    const { mod } = await staff();
    const user = await createTestUser(s.db);
    const t0 = new Date();
    await suspendUser({ ...s, now: () => t0 }, ctxOf(mod), {
      userId: user.id,
      reason: "cool off",
      durationMinutes: 5,
    });
    const row = await s.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(effectiveStatus(row, new Date(t0.getTime() + 4 * 60_000))).toBe("SUSPENDED");
    expect(effectiveStatus(row, new Date(t0.getTime() + 5 * 60_000))).toBe("ACTIVE");
    const later = new Date(t0.getTime() + 6 * 60_000);
    expect(await liftExpiredSuspensions({ db: s.db, now: () => later })).toBeGreaterThanOrEqual(1);
    expect((await s.db.user.findUniqueOrThrow({ where: { id: user.id } })).status).toBe("ACTIVE");
    expect(await auditFor(user.id)).toEqual(["user.suspended", "user.suspension_ended"]);
    const [ended] = (await listAudit(s, SYSTEM_READER, { targetId: user.id, limit: 1 })).entries;
    expect(ended).toMatchObject({ actorId: null, actorRole: "SYSTEM" });
  });

  it("force logout voids every session issued before it, not the ones after", async () => {
    const { mod } = await staff();
    const user = await createTestUser(s.db);
    const old = await issueTokenPair(s, user);
    await forceLogout(s, ctxOf(mod), { userId: user.id, reason: "lost phone" });
    expect(s.events.disconnected).toEqual([user.id]);
    expect(await codeOf(authenticateAccessToken(s, old.accessToken))).toBe("UNAUTHORIZED");
    const fresh = await issueTokenPair(s, user);
    expect((await authenticateAccessToken(s, fresh.accessToken)).user.id).toBe(user.id);
  });

  it("a demotion ends the user's sessions; a promotion does not", async () => {
    const { admin } = await staff();
    const user = await createTestUser(s.db);
    expect(
      (await changeRole(s, ctxOf(admin), { userId: user.id, role: "MODERATOR", reason: "trusted" }))
        .role,
    ).toBe("MODERATOR");
    expect(s.events.disconnected).toEqual([]);
    await changeRole(s, ctxOf(admin), { userId: user.id, role: "USER", reason: "stepped down" });
    expect(s.events.disconnected).toEqual([user.id]);
    expect(await auditFor(user.id)).toEqual(["user.role_changed", "user.role_changed"]);
  });
});

describe("the audit log", () => {
  it("is append-only: the database refuses UPDATE and DELETE", async () => {
    const { mod } = await staff();
    const user = await createTestUser(s.db);
    await forceLogout(s, ctxOf(mod), { userId: user.id, reason: "r" });
    await expect(
      s.db.auditLog.updateMany({ where: { targetId: user.id }, data: { reason: "rewritten" } }),
    ).rejects.toThrow(/append-only/);
    await expect(s.db.auditLog.deleteMany({ where: { targetId: user.id } })).rejects.toThrow(
      /append-only/,
    );
    expect(
      (await listAudit(s, SYSTEM_READER, { targetId: user.id, limit: 5 })).entries[0]?.reason,
    ).toBe("r");
  });

  it("exports CSV that a spreadsheet cannot run as formulas", () => {
    const csv = auditToCsv([
      {
        id: randomUUID(),
        at: "2026-12-01T00:00:00.000Z",
        actorId: null,
        actorName: null,
        actorRole: "SYSTEM",
        action: "user.banned",
        targetType: "user",
        targetId: "u1",
        reason: '=HYPERLINK("x"), said "hi"',
        before: { status: "ACTIVE" },
        after: null,
        meta: null,
        ip: null,
        userAgent: null,
      },
    ]);
    const [header, row] = csv.trimEnd().split("\r\n");
    expect(header).toBe(
      "at,actorId,actorName,actorRole,action,targetType,targetId,reason,before,after,ip,userAgent",
    );
    expect(row).toContain(`"'=HYPERLINK(""x""), said ""hi"""`);
    expect(row).toContain(`"{""status"":""ACTIVE""}"`);
  });
});

describe("reports", () => {
  async function reportedMessage() {
    const [author, r1, r2, outsider] = await Promise.all([
      createTestUser(s.db),
      createTestUser(s.db),
      createTestUser(s.db),
      createTestUser(s.db),
    ]);
    const conv = await s.db.conversation.create({
      data: {
        type: "GROUP",
        title: "Reports",
        memberships: { create: [author, r1, r2].map((u) => ({ userId: u.id })) },
      },
    });
    const sent = await sendMessage(s, {
      actor: { userId: author.id, role: "USER" },
      conversationId: conv.id,
      clientMsgId: randomUUID(),
      body: "buy cheap pills",
    });
    return { author, r1, r2, outsider, conversationId: conv.id, messageId: sent.messageId };
  }

  it("members report once each; the queue shows one item per message; deleting resolves them all", async () => {
    const { mod } = await staff();
    const { author, r1, r2, outsider, conversationId, messageId } = await reportedMessage();
    const report = (u: User, category: "SPAM" | "HARASSMENT", reason = "") =>
      reportMessage(s, {
        actor: { userId: u.id, role: "USER" },
        conversationId,
        messageId,
        category,
        reason,
      });
    expect(await report(r1, "SPAM", "ads")).toEqual({ status: "received" });
    expect(await report(r1, "SPAM", "again")).toEqual({ status: "received" }); // once per reporter
    await report(r2, "HARASSMENT");
    expect(await codeOf(report(outsider, "SPAM"))).toBe("FORBIDDEN");
    expect(await codeOf(report(author, "SPAM"))).toBe("INVALID_PAYLOAD");

    const queue = await listReportQueue(s, ctxOf(mod), { status: "OPEN", limit: 100 });
    const item = queue.items.find((i) => i.messageId === messageId);
    expect(item).toMatchObject({
      reports: 2,
      authorId: author.id,
      messageBody: "buy cheap pills",
      reasons: ["ads"],
    });
    expect(item?.categories.sort()).toEqual(["HARASSMENT", "SPAM"]);
    expect(await codeOf(listReportQueue(s, ctxOf(r1), { status: "OPEN", limit: 10 }))).toBe(
      "FORBIDDEN",
    );

    s.events.sent.length = 0;
    expect(
      await resolveReports(s, ctxOf(mod), {
        messageId,
        action: "delete_message",
        reason: "spam",
        suspendMinutes: null,
      }),
    ).toEqual({ resolved: 2 });
    expect((await s.messages.findById(conversationId, messageId))?.deleted).toBe(true);
    expect(s.events.sent.map((e) => e.event)).toEqual(["message:deleted"]);
    expect(await s.db.report.count({ where: { messageId, status: "RESOLVED" } })).toBe(2);
    expect(await auditFor(messageId)).toEqual([
      "report.created",
      "report.created",
      "message.deleted",
      "report.resolved",
    ]);
    const resolved = await listReportQueue(s, ctxOf(mod), { status: "RESOLVED", limit: 100 });
    expect(resolved.items.find((i) => i.messageId === messageId)).toMatchObject({
      resolution: "delete_message",
      resolutionNote: "spam",
    });
  });
});

describe("the users list", () => {
  it("filters server-side and pages by cursor without gaps or repeats", async () => {
    const { mod } = await staff();
    const tag = randomUUID().slice(0, 8);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createTestUser(s.db, { name: `Page ${tag} ${i}` }));
    await s.db.user.update({ where: { id: made[2]!.id }, data: { status: "BANNED" } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listUsers(s, ctxOf(mod), {
        query: tag,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.users.map((u) => u.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(made.map((u) => u.id).reverse()); // newest first
    const banned = await listUsers(s, ctxOf(mod), { query: tag, status: "BANNED", limit: 10 });
    expect(banned.users.map((u) => u.id)).toEqual([made[2]!.id]);
    expect(await codeOf(listUsers(s, ctxOf(mod), { cursor: "garbage", limit: 10 }))).toBe(
      "INVALID_PAYLOAD",
    );
  });
});

describe("the deny-list replica", () => {
  it("learns of a revocation through the channel and survives losing its Redis keys", async () => {
    const { mod } = await staff();
    const user = await createTestUser(s.db);
    const subscriber = s.duplicateRedis("deny-test");
    const deny = createDenyList({
      db: s.db,
      redis: s.redis,
      keys: s.keys,
      logger: s.logger,
      subscriber,
    });
    await deny.ready;
    const session = { userId: user.id, issuedAtMs: Date.now() - 1 }; // issued before the logout below
    expect(deny.check(session)).toBeNull();
    await forceLogout(s, ctxOf(mod), { userId: user.id, reason: "r" });
    await expect.poll(() => deny.check(session)).toBe("logged_out");
    expect(deny.check({ userId: user.id, issuedAtMs: Date.now() + 1 })).toBeNull();

    // A Redis restart: the key is gone; the next (re)subscription reloads from Postgres.
    await s.redis.del(s.keys.deny(user.id));
    const again = createDenyList({
      db: s.db,
      redis: s.redis,
      keys: s.keys,
      logger: s.logger,
      subscriber: s.duplicateRedis("deny-test-2"),
    });
    await again.ready;
    expect(again.check(session)).toBe("logged_out");
    expect(await s.redis.exists(s.keys.deny(user.id))).toBe(1);
    deny.close();
    again.close();
  });
});
