// Who may watch whose presence ("contacts"), and taking watches away when
// that stops being true. docs/presence.md#who-may-watch-whom.
//
// The rule: A may watch B iff A = B, or A and B share a live (not deleted)
// conversation in which B has *participated* — B created it (or opened the
// DM) or has sent at least one message in it (Membership.participatedAt).
// Being added to a group by someone else is not enough: B chose nothing, so
// nobody learns B's presence from it until B speaks there.
//
// participatedAt is only ever set (creation, first send), never cleared, so
// a watch can only stop qualifying when a shared conversation goes away for
// one of the two: a member is removed or leaves, or the group is deleted.
// Those use cases call `revokeLostPresenceWatches` after their commit.
import type { PrismaClient } from "@relay/db";
import { orUnavailable } from "../errors";
import { presenceRoom, type RelayEvents } from "../events/port";
import type { Logger } from "../logger";
import type { MembershipReader } from "./membership";

/**
 * One query: which of `userIds` the watcher may watch (themselves, or someone
 * who participated in a live conversation the watcher is in), with their
 * Postgres lastSeenAt. Ids missing from the result are refused; unknown and
 * unrelated ids look the same.
 */
export async function authorizePresenceWatch(
  deps: { db: PrismaClient },
  input: { watcherId: string; userIds: readonly string[] },
): Promise<Map<string, Date | null>> {
  const ids = [...new Set(input.userIds)];
  const rows = await orUnavailable("database", () =>
    deps.db.user.findMany({
      where: {
        id: { in: ids },
        OR: [
          { id: input.watcherId },
          {
            memberships: {
              some: {
                participatedAt: { not: null },
                conversation: {
                  deletedAt: null,
                  memberships: { some: { userId: input.watcherId } },
                },
              },
            },
          },
        ],
      },
      select: { id: true, lastSeenAt: true },
    }),
  );
  return new Map(rows.map((r) => [r.id, r.lastSeenAt]));
}

/**
 * Marks `userId` as participating in the conversation (the first message
 * they sent there) with one conditional UPDATE, then drops the cached member
 * list so the next send sees it and skips this. Callers only call it when
 * the cached member list says "not yet", so a send normally writes nothing
 * here. Never rejects: a failure is logged and retried by the next send.
 */
export async function markParticipated(
  deps: { db: PrismaClient; membership: Pick<MembershipReader, "invalidate">; logger: Logger },
  input: { conversationId: string; userId: string },
): Promise<void> {
  const { conversationId, userId } = input;
  try {
    await deps.db.$executeRaw`
      UPDATE "Membership" SET "participatedAt" = now() AT TIME ZONE 'UTC'
      WHERE "conversationId" = ${conversationId}::uuid AND "userId" = ${userId}::uuid
        AND "participatedAt" IS NULL`;
    // Also when nothing changed: then the cache said "not yet" and was stale.
    await deps.membership.invalidate(conversationId);
  } catch (err) {
    deps.logger.warn({ err, conversationId }, "could not record that the sender participated");
  }
}

/** A watch that no longer qualifies: `watcher`'s sockets must leave `presence:<target>`. */
export interface TLostWatch {
  watcher: string;
  target: string;
}

/**
 * One query, after a committed change: of the pairs between `parted` (who
 * left, or everyone when the conversation was deleted) and `others` (who
 * they shared it with), in both directions, those where the watcher may no
 * longer watch the target under the rule above.
 */
export async function lostPresenceWatches(
  db: PrismaClient,
  input: { parted: readonly string[]; others: readonly string[] },
): Promise<TLostWatch[]> {
  const parted = [...new Set(input.parted)];
  const others = [...new Set(input.others)];
  if (parted.length === 0 || others.length === 0) return [];
  return db.$queryRaw<TLostWatch[]>`
    WITH p AS (SELECT unnest(${parted}::uuid[]) AS id),
         o AS (SELECT unnest(${others}::uuid[]) AS id),
         cand AS (
           SELECT p.id AS watcher, o.id AS target FROM p, o WHERE p.id <> o.id
           UNION
           SELECT o.id, p.id FROM p, o WHERE p.id <> o.id
         )
    SELECT cand.watcher::text AS watcher, cand.target::text AS target FROM cand
    WHERE NOT EXISTS (
      SELECT 1 FROM "Membership" t
      JOIN "Membership" w ON w."conversationId" = t."conversationId" AND w."userId" = cand.watcher
      JOIN "Conversation" c ON c.id = t."conversationId" AND c."deletedAt" IS NULL
      WHERE t."userId" = cand.target AND t."participatedAt" IS NOT NULL
    )`;
}

/**
 * After `parted` stopped sharing a conversation with `others` (removed, left,
 * or the conversation was deleted: then both are every member): compute the
 * watches that no longer qualify (one query) and take them away on every node
 * through the event port — each parted user's sockets leave the presence
 * rooms of the people they lost, and the people who lost a parted user leave
 * that user's room. Two publishes for a removal; one per member for a
 * deletion. A query failure propagates (UNAVAILABLE) like the member-cache
 * invalidation next to it; the publish itself is best effort.
 */
export async function revokeLostPresenceWatches(
  deps: { db: PrismaClient; events: Pick<RelayEvents, "leaveRooms"> },
  input: { parted: readonly string[]; others: readonly string[] },
): Promise<TLostWatch[]> {
  const lost = await orUnavailable("database", () => lostPresenceWatches(deps.db, input));
  const parted = new Set(input.parted);
  const lostBy = new Map<string, string[]>(); // parted watcher → targets it lost
  const lostOf = new Map<string, string[]>(); // parted target → watchers who lost it
  for (const { watcher, target } of lost) {
    if (parted.has(watcher)) push(lostBy, watcher, target);
    else push(lostOf, target, watcher);
  }
  for (const [watcher, targets] of lostBy)
    deps.events.leaveRooms([watcher], targets.map(presenceRoom));
  for (const [target, watchers] of lostOf) deps.events.leaveRooms(watchers, [presenceRoom(target)]);
  return lost;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
