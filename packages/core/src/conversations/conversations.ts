// Conversations and memberships: the caller's list with last message and
// unread counts, direct conversations (one per pair, via directKey), groups
// and their members, leaving, per-member mute.
//
// Rules every function follows:
// - A conversation the caller is not a member of is NOT_FOUND (never
//   FORBIDDEN), so ids of other people's conversations leak nothing.
// - Membership changes run in a transaction holding the conversation's row
//   lock (SELECT … FOR UPDATE), so concurrent changes cannot break the
//   member limit or the "a group keeps an owner" rule.
// - After every committed change: the Redis member cache that realtime reads
//   on each send is invalidated (errors propagate: a stale cache would let a
//   removed member keep sending); when people stopped sharing the
//   conversation, the presence watches that no longer qualify are revoked on
//   every node (contacts.ts); then affected users get `conversation:updated`
//   through the event port (best effort).
// - Participation (Membership.participatedAt, the presence rule in
//   contacts.ts): the creator of a group or DM participates from the start,
//   so does whoever opens an existing DM; members added by others only once
//   they send a message (send-message.ts).
// The caller is assumed ACTIVE (the REST layer checks it per request).
import { directKeyOf, type Prisma, type PrismaClient } from "@relay/db";
import type { MessageRepository, StoredMessage } from "@relay/messages/runtime";
import { AppError } from "@relay/shared/errors";
import { LIMITS } from "@relay/shared/limits";
import type { TConversationSummary, TConversationUpdatedEvent } from "@relay/shared/schemas";
import { isUniqueViolation } from "../errors";
import type { RelayEvents } from "../events/port";
import { toMessage } from "../messages/wire";
import { countUnread } from "../receipts/unread";
import { revokeLostPresenceWatches } from "./contacts";
import type { MembershipReader } from "./membership";

export interface ConversationsDeps {
  db: PrismaClient;
  messages: Pick<MessageRepository, "latestMany" | "countUnread">;
  membership: Pick<MembershipReader, "invalidate">;
  events: Pick<RelayEvents, "toUsers" | "leaveRooms">;
  /** Clock, for tests. */
  now?: () => Date;
}

type Tx = Prisma.TransactionClient;

const NOT_FOUND_MESSAGE = "conversation not found";

// ------------------------------------------------------------------ reading

function findMemberships(db: PrismaClient, where: Prisma.MembershipWhereInput) {
  return db.membership.findMany({
    where: { ...where, conversation: { deletedAt: null } },
    include: {
      conversation: {
        include: {
          memberships: {
            select: { userId: true, role: true, joinedAt: true, user: { select: { name: true } } },
            orderBy: [{ joinedAt: "asc" }, { userId: "asc" }],
          },
        },
      },
    },
  });
}

type TMembershipRow = Awaited<ReturnType<typeof findMemberships>>[number];

function toSummary(
  row: TMembershipRow,
  latest: StoredMessage | undefined,
  unread: number,
): TConversationSummary {
  const conv = row.conversation;
  const lastSeq = latest?.seq ?? 0;
  return {
    id: conv.id,
    type: conv.type === "DIRECT" ? "direct" : "group",
    title: conv.type === "DIRECT" ? null : conv.title,
    members: conv.memberships.map((m) => ({ userId: m.userId, role: m.role, name: m.user.name })),
    lastMessage: latest ? toMessage(latest) : null,
    lastSeq,
    unread,
    mutedUntil: row.mutedUntil?.toISOString() ?? null,
  };
}

/** Latest activity: the last message, else when the caller joined / the conversation was created. */
function activityAt(row: TMembershipRow, latest: StoredMessage | undefined): number {
  return Math.max(
    latest?.createdAt.getTime() ?? 0,
    row.joinedAt.getTime(),
    row.conversation.createdAt.getTime(),
  );
}

async function summarize(
  deps: ConversationsDeps,
  rows: TMembershipRow[],
): Promise<TConversationSummary[]> {
  if (rows.length === 0) return [];
  const latest = await deps.messages.latestMany(rows.map((r) => r.conversationId));
  const unread = await countUnread(
    deps.messages,
    rows.map((r) => ({
      conversationId: r.conversationId,
      readerId: r.userId,
      readSeq: r.lastReadSeq,
      headSeq: latest.get(r.conversationId)?.seq ?? 0,
    })),
  );
  return rows
    .map((row, i) => ({ row, last: latest.get(row.conversationId), unread: unread[i] ?? 0 }))
    .sort(
      (a, b) =>
        activityAt(b.row, b.last) - activityAt(a.row, a.last) ||
        a.row.conversationId.localeCompare(b.row.conversationId),
    )
    .map(({ row, last, unread: n }) => toSummary(row, last, n));
}

/** The caller's conversations, most recently active first. */
export async function listConversations(
  deps: ConversationsDeps,
  userId: string,
): Promise<TConversationSummary[]> {
  return summarize(deps, await findMemberships(deps.db, { userId }));
}

/** One conversation as the caller sees it; NOT_FOUND unless the caller is a member. */
export async function getConversation(
  deps: ConversationsDeps,
  input: { callerId: string; conversationId: string },
): Promise<TConversationSummary> {
  const [summary] = await summarize(
    deps,
    await findMemberships(deps.db, {
      userId: input.callerId,
      conversationId: input.conversationId,
    }),
  );
  if (!summary) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
  return summary;
}

// ---------------------------------------------------------------- helpers

/** NOT_FOUND naming the ids that are not ACTIVE users (unknown, suspended or banned). */
export async function assertActiveUsers(
  db: PrismaClient | Tx,
  userIds: readonly string[],
): Promise<void> {
  if (userIds.length === 0) return;
  const found = await db.user.findMany({
    where: { id: { in: [...userIds] }, status: "ACTIVE" },
    select: { id: true },
  });
  const ok = new Set(found.map((u) => u.id));
  const missing = userIds.filter((id) => !ok.has(id));
  if (missing.length > 0)
    throw new AppError(
      "NOT_FOUND",
      `user not found: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`,
    );
}

/** Row lock on the conversation for the rest of the transaction. */
export async function lockConversation(tx: Tx, conversationId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Conversation" WHERE id = ${conversationId}::uuid FOR UPDATE`;
}

/** The locked conversation with its members; NOT_FOUND when missing, deleted or the caller is not a member. */
async function loadForChange(tx: Tx, conversationId: string, callerId: string) {
  await lockConversation(tx, conversationId);
  const conv = await tx.conversation.findFirst({
    where: { id: conversationId, deletedAt: null },
    select: {
      id: true,
      type: true,
      memberships: {
        select: { userId: true, role: true, joinedAt: true },
        orderBy: [{ joinedAt: "asc" }, { userId: "asc" }],
      },
    },
  });
  const me = conv?.memberships.find((m) => m.userId === callerId);
  if (!conv || !me) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
  return { conv, me };
}

/**
 * After a committed change: drop the member cache realtime reads; when
 * `parted` users stopped sharing the conversation with `others` (removed,
 * left, deleted), revoke the presence watches that no longer qualify; then
 * tell the affected users.
 */
export async function conversationChanged(
  deps: Pick<ConversationsDeps, "db" | "membership" | "events">,
  conversationId: string,
  userIds: readonly string[],
  reason: TConversationUpdatedEvent["reason"],
  parted?: { parted: readonly string[]; others: readonly string[] },
): Promise<void> {
  await deps.membership.invalidate(conversationId);
  if (parted) await revokeLostPresenceWatches(deps, parted);
  deps.events.toUsers(userIds, "conversation:updated", { conversationId, reason });
}

// ---------------------------------------------------------------- creating

/**
 * The direct conversation between the caller and `otherUserId`, created when
 * missing. Idempotent per pair (directKey is unique): concurrent creates all
 * get the one conversation, exactly one of them with `created: true`.
 * Yourself → INVALID_PAYLOAD; unknown or inactive user → NOT_FOUND.
 */
export async function createDirectConversation(
  deps: ConversationsDeps,
  input: { callerId: string; otherUserId: string },
): Promise<{ conversation: TConversationSummary; created: boolean }> {
  const { callerId, otherUserId } = input;
  if (otherUserId === callerId)
    throw new AppError(
      "INVALID_PAYLOAD",
      "userId: cannot start a direct conversation with yourself",
    );
  const other = await deps.db.user.findUnique({
    where: { id: otherUserId },
    select: { status: true },
  });
  if (other?.status !== "ACTIVE") throw new AppError("NOT_FOUND", "user not found");

  const directKey = directKeyOf(callerId, otherUserId);
  const existing = async () => {
    const conv = await deps.db.conversation.findUnique({
      where: { directKey },
      select: { id: true, deletedAt: true },
    });
    if (!conv) return null;
    if (conv.deletedAt)
      throw new AppError("FORBIDDEN", "this conversation was removed by a moderator");
    // A DM always has both people; restore a membership a moderator removed.
    const restored = await deps.db.membership.createMany({
      data: [callerId, otherUserId].map((userId) => ({
        conversationId: conv.id,
        userId,
        role: "OWNER" as const,
      })),
      skipDuplicates: true,
    });
    // Opening the DM is the caller's choice to be in it (the presence rule).
    const marked = await deps.db.membership.updateMany({
      where: { conversationId: conv.id, userId: callerId, participatedAt: null },
      data: { participatedAt: deps.now?.() ?? new Date() },
    });
    if (restored.count > 0)
      await conversationChanged(deps, conv.id, [callerId, otherUserId], "members_added");
    else if (marked.count > 0) await deps.membership.invalidate(conv.id);
    return {
      conversation: await getConversation(deps, { callerId, conversationId: conv.id }),
      created: false,
    };
  };

  const found = await existing();
  if (found) return found;
  let id: string;
  try {
    const conv = await deps.db.conversation.create({
      data: {
        type: "DIRECT",
        directKey,
        createdById: callerId,
        memberships: {
          create: [
            { userId: callerId, role: "OWNER", participatedAt: deps.now?.() ?? new Date() },
            { userId: otherUserId, role: "OWNER" },
          ],
        },
      },
      select: { id: true },
    });
    id = conv.id;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const raced = await existing(); // another request created it first
    if (raced) return raced;
    throw err;
  }
  await conversationChanged(deps, id, [callerId, otherUserId], "created");
  return {
    conversation: await getConversation(deps, { callerId, conversationId: id }),
    created: true,
  };
}

/**
 * A group with the caller as OWNER and `memberIds` as MEMBERs (the caller's
 * own id in the list is ignored). Every id must be an ACTIVE user (else
 * NOT_FOUND); at most LIMITS.groupMaxMembers members in all.
 */
export async function createGroupConversation(
  deps: ConversationsDeps,
  input: { callerId: string; title: string; memberIds: readonly string[] },
): Promise<TConversationSummary> {
  const others = [...new Set(input.memberIds)].filter((id) => id !== input.callerId);
  if (others.length + 1 > LIMITS.groupMaxMembers) {
    throw new AppError(
      "INVALID_PAYLOAD",
      `memberIds: too many members (max ${LIMITS.groupMaxMembers} including you)`,
    );
  }
  await assertActiveUsers(deps.db, others);
  const conv = await deps.db.conversation.create({
    data: {
      type: "GROUP",
      title: input.title,
      createdById: input.callerId,
      memberships: {
        create: [
          { userId: input.callerId, role: "OWNER", participatedAt: deps.now?.() ?? new Date() },
          ...others.map((userId) => ({ userId, role: "MEMBER" as const })),
        ],
      },
    },
    select: { id: true },
  });
  await conversationChanged(deps, conv.id, [input.callerId, ...others], "created");
  return getConversation(deps, { callerId: input.callerId, conversationId: conv.id });
}

// ---------------------------------------------------------------- members

/**
 * Adds ACTIVE users to a group as MEMBERs; ids already in it are skipped.
 * Caller not a member → NOT_FOUND; a direct conversation, or a caller who is
 * a plain MEMBER → FORBIDDEN; unknown/inactive user → NOT_FOUND; over
 * LIMITS.groupMaxMembers → CONFLICT. Returns the updated conversation.
 */
export async function addMembers(
  deps: ConversationsDeps,
  input: { callerId: string; conversationId: string; userIds: readonly string[] },
): Promise<TConversationSummary> {
  const { callerId, conversationId } = input;
  const { added, members } = await deps.db.$transaction(async (tx) => {
    const { conv, me } = await loadForChange(tx, conversationId, callerId);
    if (conv.type !== "GROUP")
      throw new AppError("FORBIDDEN", "members can only be added to groups");
    if (me.role === "MEMBER")
      throw new AppError("FORBIDDEN", "only group owners and admins can add members");
    const current = new Set(conv.memberships.map((m) => m.userId));
    const toAdd = [...new Set(input.userIds)].filter((id) => !current.has(id));
    if (current.size + toAdd.length > LIMITS.groupMaxMembers) {
      throw new AppError("CONFLICT", `group is full (max ${LIMITS.groupMaxMembers} members)`);
    }
    await assertActiveUsers(tx, toAdd);
    if (toAdd.length > 0) {
      await tx.membership.createMany({
        data: toAdd.map((userId) => ({ conversationId, userId, role: "MEMBER" as const })),
        skipDuplicates: true,
      });
    }
    return { added: toAdd, members: [...current, ...toAdd] };
  });
  if (added.length > 0) await conversationChanged(deps, conversationId, members, "members_added");
  return getConversation(deps, { callerId, conversationId });
}

/**
 * Removes a member from a group. Removing yourself is `leaveConversation`.
 * OWNERs remove anyone, ADMINs only MEMBERs, MEMBERs nobody (FORBIDDEN), so
 * the last OWNER is never removed (guarded again: CONFLICT). Caller not a member, or target
 * not a member → NOT_FOUND; direct conversations → FORBIDDEN.
 */
export async function removeMember(
  deps: ConversationsDeps,
  input: { callerId: string; conversationId: string; userId: string },
): Promise<void> {
  const { callerId, conversationId, userId } = input;
  if (userId === callerId) return leaveConversation(deps, { callerId, conversationId });
  const notify = await deps.db.$transaction(async (tx) => {
    const { conv, me } = await loadForChange(tx, conversationId, callerId);
    if (conv.type !== "GROUP")
      throw new AppError("FORBIDDEN", "members can only be removed from groups");
    if (me.role === "MEMBER")
      throw new AppError("FORBIDDEN", "only group owners and admins can remove members");
    const target = conv.memberships.find((m) => m.userId === userId);
    if (!target) throw new AppError("NOT_FOUND", "member not found");
    if (me.role === "ADMIN" && target.role !== "MEMBER")
      throw new AppError("FORBIDDEN", "admins can only remove members");
    // Defensive: with the rules above only an OWNER removes an OWNER, so another one remains.
    const owners = conv.memberships.filter((m) => m.role === "OWNER").length;
    if (target.role === "OWNER" && owners <= 1)
      throw new AppError("CONFLICT", "cannot remove the last owner");
    await tx.membership.delete({ where: { conversationId_userId: { conversationId, userId } } });
    return conv.memberships.map((m) => m.userId); // the remaining members and the removed user
  });
  await conversationChanged(deps, conversationId, notify, "member_removed", {
    parted: [userId],
    others: notify,
  });
}

/**
 * Removes `member` from a locked group (`conv`, members ordered by joinedAt).
 * When the last OWNER goes, the longest-standing ADMIN (else MEMBER) becomes
 * OWNER; when the last member goes, the group is soft-deleted.
 */
export async function dropMember(
  tx: Tx,
  conv: { id: string; memberships: Array<{ userId: string; role: "OWNER" | "ADMIN" | "MEMBER" }> },
  member: { userId: string; role: "OWNER" | "ADMIN" | "MEMBER" },
  now: Date,
): Promise<void> {
  const conversationId = conv.id;
  await tx.membership.delete({
    where: { conversationId_userId: { conversationId, userId: member.userId } },
  });
  const remaining = conv.memberships.filter((m) => m.userId !== member.userId);
  if (remaining.length === 0) {
    await tx.conversation.update({ where: { id: conversationId }, data: { deletedAt: now } });
  } else if (member.role === "OWNER" && !remaining.some((m) => m.role === "OWNER")) {
    const heir = remaining.find((m) => m.role === "ADMIN") ?? remaining[0]!; // ordered by joinedAt
    await tx.membership.update({
      where: { conversationId_userId: { conversationId, userId: heir.userId } },
      data: { role: "OWNER" },
    });
  }
}

/**
 * The caller leaves a group. Direct conversations cannot be left (FORBIDDEN):
 * a DM is the pair's permanent thread (mute it instead). When the last OWNER
 * leaves, the longest-standing ADMIN (else MEMBER) becomes OWNER; when the
 * last member leaves, the group is soft-deleted (deletedAt).
 */
export async function leaveConversation(
  deps: ConversationsDeps,
  input: { callerId: string; conversationId: string },
): Promise<void> {
  const { callerId, conversationId } = input;
  const notify = await deps.db.$transaction(async (tx) => {
    const { conv, me } = await loadForChange(tx, conversationId, callerId);
    if (conv.type !== "GROUP")
      throw new AppError("FORBIDDEN", "direct conversations cannot be left");
    await dropMember(tx, conv, me, deps.now?.() ?? new Date());
    return conv.memberships.map((m) => m.userId);
  });
  await conversationChanged(deps, conversationId, notify, "left", {
    parted: [callerId],
    others: notify,
  });
}

// ---------------------------------------------------------------- settings

/**
 * Mutes the conversation for the caller until `mutedUntil` (ISO time; null
 * unmutes). Push delivery reads it from the member cache, so the cache is
 * invalidated; only the caller's own devices are notified.
 */
export async function setConversationMute(
  deps: ConversationsDeps,
  input: { callerId: string; conversationId: string; mutedUntil: string | null },
): Promise<TConversationSummary> {
  const { callerId, conversationId } = input;
  const { count } = await deps.db.membership.updateMany({
    where: { conversationId, userId: callerId, conversation: { deletedAt: null } },
    data: { mutedUntil: input.mutedUntil === null ? null : new Date(input.mutedUntil) },
  });
  if (count === 0) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
  await conversationChanged(deps, conversationId, [callerId], "updated");
  return getConversation(deps, { callerId, conversationId });
}
