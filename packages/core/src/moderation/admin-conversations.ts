// Conversations as moderators see them: search groups and DMs, a group's
// members, history around a message, and the changes moderators and admins
// make without being members — delete a message, rename, add and remove
// members, transfer ownership, delete a group. Every change is audited and
// reaches the members live through the event port.
import type { Prisma, PrismaClient } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import { LIMITS } from "@relay/shared/limits";
import type {
  TAdminConversationQuery,
  TConversationActionRequest,
  TGroupMemberActionRequest,
  TMessage,
  TMessageDeletedEvent,
  TModeratorDeleteMessageRequest,
  TRenameGroupRequest,
} from "@relay/shared/schemas";
import {
  assertActiveUsers,
  conversationChanged,
  dropMember,
  lockConversation,
} from "../conversations/conversations";
import type { CoreDeps } from "../deps";
import { orUnavailable } from "../errors";
import { toMessage } from "../messages/wire";
import { recordAudit, type TModerationContext } from "./audit";
import { decodeCursor, encodeCursor } from "./cursor";
import { requireRole } from "./roles";

type AdminConversationDeps = Pick<CoreDeps, "db" | "membership" | "events" | "messages">;
type Tx = Prisma.TransactionClient;

export interface TAdminConversationRow {
  id: string;
  type: "direct" | "group";
  title: string | null;
  memberCount: number;
  /** The first few members by join date (for DMs: both). */
  members: Array<{ userId: string; name: string; role: "OWNER" | "ADMIN" | "MEMBER" }>;
  createdAt: string;
  deletedAt: string | null;
}

function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Groups and DMs by title or a member's name/email, newest first, by cursor. */
export async function searchConversations(
  deps: { db: PrismaClient },
  ctx: TModerationContext,
  query: Omit<TAdminConversationQuery, "limit"> & { limit: number },
): Promise<{ conversations: TAdminConversationRow[]; nextCursor: string | null }> {
  requireRole(ctx.actor, "MODERATOR", "searching conversations");
  const cursor = decodeCursor(query.cursor);
  const q = query.query ? escapeLike(query.query) : null;
  const where: Prisma.ConversationWhereInput = {
    ...(query.type ? { type: query.type === "direct" ? "DIRECT" : "GROUP" } : {}),
    ...(q
      ? {
          OR: [
            { title: { contains: q, mode: "insensitive" } },
            {
              memberships: {
                some: {
                  user: {
                    OR: [
                      { name: { contains: q, mode: "insensitive" } },
                      { email: { contains: q, mode: "insensitive" } },
                    ],
                  },
                },
              },
            },
          ],
        }
      : {}),
    ...(cursor
      ? {
          AND: [
            {
              OR: [
                { createdAt: { lt: new Date(cursor.at) } },
                { createdAt: new Date(cursor.at), id: { lt: cursor.id } },
              ],
            },
          ],
        }
      : {}),
  };
  const rows = await deps.db.conversation.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    include: {
      _count: { select: { memberships: true } },
      memberships: {
        take: 5,
        orderBy: [{ joinedAt: "asc" }, { userId: "asc" }],
        select: { userId: true, role: true, user: { select: { name: true } } },
      },
    },
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    conversations: page.map((c) => ({
      id: c.id,
      type: c.type === "DIRECT" ? "direct" : "group",
      title: c.title,
      memberCount: c._count.memberships,
      members: c.memberships.map((m) => ({ userId: m.userId, name: m.user.name, role: m.role })),
      createdAt: c.createdAt.toISOString(),
      deletedAt: c.deletedAt?.toISOString() ?? null,
    })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id })
        : null,
  };
}

export interface TAdminConversationDetail extends Omit<TAdminConversationRow, "members"> {
  createdById: string | null;
  lastSeq: number;
  members: Array<{
    userId: string;
    name: string;
    email: string;
    role: "OWNER" | "ADMIN" | "MEMBER";
    joinedAt: string;
    status: "ACTIVE" | "SUSPENDED" | "BANNED";
  }>;
}

export async function getConversationForModeration(
  deps: Pick<CoreDeps, "db" | "messages">,
  ctx: TModerationContext,
  conversationId: string,
): Promise<TAdminConversationDetail> {
  requireRole(ctx.actor, "MODERATOR", "viewing a conversation");
  const c = await deps.db.conversation.findUnique({
    where: { id: conversationId },
    include: {
      memberships: {
        orderBy: [{ joinedAt: "asc" }, { userId: "asc" }],
        include: { user: { select: { name: true, email: true, status: true } } },
      },
    },
  });
  if (!c) throw new AppError("NOT_FOUND", "conversation not found");
  const lastSeq = await orUnavailable("message store", () => deps.messages.maxSeq(c.id));
  return {
    id: c.id,
    type: c.type === "DIRECT" ? "direct" : "group",
    title: c.title,
    memberCount: c.memberships.length,
    createdAt: c.createdAt.toISOString(),
    deletedAt: c.deletedAt?.toISOString() ?? null,
    createdById: c.createdById,
    lastSeq,
    members: c.memberships.map((m) => ({
      userId: m.userId,
      name: m.user.name,
      email: m.user.email,
      role: m.role,
      joinedAt: m.joinedAt.toISOString(),
      status: m.user.status,
    })),
  };
}

/**
 * A page of history for moderators: the latest, before a seq, or `around` a
 * seq (the reported message with `context` messages on each side).
 */
export async function moderationHistory(
  deps: Pick<CoreDeps, "messages">,
  ctx: TModerationContext,
  input: { conversationId: string; beforeSeq?: number; aroundSeq?: number; context?: number },
): Promise<{ messages: TMessage[]; hasMoreBefore: boolean; hasMoreAfter: boolean }> {
  requireRole(ctx.actor, "MODERATOR", "reading conversation history");
  const context = Math.min(input.context ?? 20, LIMITS.historyPageMax / 2);
  const page = (opts: Parameters<CoreDeps["messages"]["page"]>[1]) =>
    orUnavailable("message store", () => deps.messages.page(input.conversationId, opts));
  if (input.aroundSeq !== undefined) {
    const [before, after] = await Promise.all([
      page({ beforeSeq: input.aroundSeq + 1, limit: context + 1 }),
      page({ afterSeq: input.aroundSeq, limit: context }),
    ]);
    return {
      messages: [...before.messages, ...after.messages].map(toMessage),
      hasMoreBefore: before.hasMore,
      hasMoreAfter: after.hasMore,
    };
  }
  const latest = await page({
    ...(input.beforeSeq !== undefined ? { beforeSeq: input.beforeSeq } : {}),
    limit: LIMITS.historyPageDefault,
  });
  return {
    messages: latest.messages.map(toMessage),
    hasMoreBefore: latest.hasMore,
    hasMoreAfter: false,
  };
}

/** A moderator deletes any message; members see `message:deleted` live. */
export async function moderatorDeleteMessage(
  deps: AdminConversationDeps,
  ctx: TModerationContext,
  input: TModeratorDeleteMessageRequest,
): Promise<TMessageDeletedEvent> {
  requireRole(ctx.actor, "MODERATOR", "deleting messages");
  const { conversationId, messageId } = input;
  const found = await orUnavailable("message store", () =>
    deps.messages.findById(conversationId, messageId),
  );
  if (!found || found.deleted) throw new AppError("NOT_FOUND", "no such message");
  await orUnavailable("message store", () =>
    deps.messages.markDeleted(conversationId, messageId, new Date()),
  );
  await recordAudit(deps.db, ctx, {
    action: "message.deleted",
    targetType: "message",
    targetId: messageId,
    reason: input.reason,
    before: { senderId: found.senderId, seq: found.seq, body: found.body.slice(0, 500) },
    meta: { conversationId },
  });
  const event: TMessageDeletedEvent = { conversationId, messageId, seq: found.seq };
  const members = await orUnavailable("membership", () => deps.membership.get(conversationId));
  if (members) deps.events.toMembers(members, "message:deleted", event);
  return event;
}

/** The group locked for a moderator's change: NOT_FOUND when missing or deleted, FORBIDDEN for a DM. */
async function lockGroup(tx: Tx, conversationId: string) {
  await lockConversation(tx, conversationId);
  const conv = await tx.conversation.findFirst({
    where: { id: conversationId, deletedAt: null },
    select: {
      id: true,
      type: true,
      title: true,
      memberships: {
        select: { userId: true, role: true },
        orderBy: [{ joinedAt: "asc" }, { userId: "asc" }],
      },
    },
  });
  if (!conv) throw new AppError("NOT_FOUND", "conversation not found");
  if (conv.type !== "GROUP") throw new AppError("FORBIDDEN", "only groups can be changed here");
  return conv;
}

export async function renameGroup(
  deps: AdminConversationDeps,
  ctx: TModerationContext,
  input: TRenameGroupRequest,
): Promise<void> {
  requireRole(ctx.actor, "MODERATOR", "renaming a group");
  const members = await deps.db.$transaction(async (tx) => {
    const conv = await lockGroup(tx, input.conversationId);
    await tx.conversation.update({ where: { id: conv.id }, data: { title: input.title } });
    await recordAudit(tx, ctx, {
      action: "group.renamed",
      targetType: "conversation",
      targetId: conv.id,
      reason: input.reason,
      before: { title: conv.title },
      after: { title: input.title },
    });
    return conv.memberships.map((m) => m.userId);
  });
  await conversationChanged(deps, input.conversationId, members, "updated");
}

export async function addGroupMember(
  deps: AdminConversationDeps,
  ctx: TModerationContext,
  input: TGroupMemberActionRequest,
): Promise<void> {
  requireRole(ctx.actor, "MODERATOR", "adding group members");
  const members = await deps.db.$transaction(async (tx) => {
    const conv = await lockGroup(tx, input.conversationId);
    if (conv.memberships.some((m) => m.userId === input.userId))
      throw new AppError("CONFLICT", "already a member");
    if (conv.memberships.length + 1 > LIMITS.groupMaxMembers)
      throw new AppError("CONFLICT", `group is full (max ${LIMITS.groupMaxMembers} members)`);
    await assertActiveUsers(tx, [input.userId]);
    await tx.membership.create({
      data: { conversationId: conv.id, userId: input.userId, role: "MEMBER" },
    });
    await recordAudit(tx, ctx, {
      action: "group.member_added",
      targetType: "conversation",
      targetId: conv.id,
      reason: input.reason,
      after: { userId: input.userId, role: "MEMBER" },
    });
    return [...conv.memberships.map((m) => m.userId), input.userId];
  });
  await conversationChanged(deps, input.conversationId, members, "members_added");
}

export async function removeGroupMember(
  deps: AdminConversationDeps,
  ctx: TModerationContext,
  input: TGroupMemberActionRequest,
): Promise<void> {
  requireRole(ctx.actor, "MODERATOR", "removing group members");
  const notify = await deps.db.$transaction(async (tx) => {
    const conv = await lockGroup(tx, input.conversationId);
    const target = conv.memberships.find((m) => m.userId === input.userId);
    if (!target) throw new AppError("NOT_FOUND", "member not found");
    await dropMember(tx, conv, target, new Date());
    await recordAudit(tx, ctx, {
      action: "group.member_removed",
      targetType: "conversation",
      targetId: conv.id,
      reason: input.reason,
      before: { userId: target.userId, role: target.role },
    });
    return conv.memberships.map((m) => m.userId);
  });
  await conversationChanged(deps, input.conversationId, notify, "member_removed", {
    parted: [input.userId],
    others: notify,
  });
}

/** Makes a member the OWNER; the previous owners become ADMINs. */
export async function transferOwnership(
  deps: AdminConversationDeps,
  ctx: TModerationContext,
  input: TGroupMemberActionRequest,
): Promise<void> {
  requireRole(ctx.actor, "MODERATOR", "transferring ownership");
  const members = await deps.db.$transaction(async (tx) => {
    const conv = await lockGroup(tx, input.conversationId);
    const target = conv.memberships.find((m) => m.userId === input.userId);
    if (!target) throw new AppError("NOT_FOUND", "member not found");
    if (target.role === "OWNER") throw new AppError("CONFLICT", "already an owner");
    const owners = conv.memberships.filter((m) => m.role === "OWNER").map((m) => m.userId);
    await tx.membership.updateMany({
      where: { conversationId: conv.id, userId: { in: owners } },
      data: { role: "ADMIN" },
    });
    await tx.membership.update({
      where: { conversationId_userId: { conversationId: conv.id, userId: target.userId } },
      data: { role: "OWNER" },
    });
    await recordAudit(tx, ctx, {
      action: "group.ownership_transferred",
      targetType: "conversation",
      targetId: conv.id,
      reason: input.reason,
      before: { owners },
      after: { owners: [target.userId] },
    });
    return conv.memberships.map((m) => m.userId);
  });
  await conversationChanged(deps, input.conversationId, members, "updated");
}

/** Deletes a group (admins only): it disappears for every member at once. */
export async function deleteGroup(
  deps: AdminConversationDeps,
  ctx: TModerationContext,
  input: TConversationActionRequest,
): Promise<void> {
  requireRole(ctx.actor, "ADMIN", "deleting a group");
  const members = await deps.db.$transaction(async (tx) => {
    const conv = await lockGroup(tx, input.conversationId);
    await tx.conversation.update({ where: { id: conv.id }, data: { deletedAt: new Date() } });
    await recordAudit(tx, ctx, {
      action: "group.deleted",
      targetType: "conversation",
      targetId: conv.id,
      reason: input.reason,
      before: { title: conv.title, members: conv.memberships.length },
    });
    return conv.memberships.map((m) => m.userId);
  });
  // Every pair of members stopped sharing it: revoke what no other conversation keeps.
  await conversationChanged(deps, input.conversationId, members, "deleted", {
    parted: members,
    others: members,
  });
}
