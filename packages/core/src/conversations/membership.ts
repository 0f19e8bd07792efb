// Who is in a conversation, read on every send/typing/receipt: Postgres is the
// truth, Redis caches the member list (5 min TTL) for all realtime nodes, and
// every membership change calls `invalidate` (web and admin do, through the
// conversation services) so a removed member is refused at once.
import type { Redis } from "ioredis";
import type { PrismaClient } from "@relay/db";
import { redisKeys } from "../redis-keys";

export interface TMemberRef {
  userId: string;
  role: "OWNER" | "ADMIN" | "MEMBER";
  /** ISO time until which pushes are muted, or null. */
  mutedUntil: string | null;
  /**
   * Has created the conversation or sent a message in it (Membership.participatedAt,
   * the presence rule in contacts.ts). Absent in entries cached before it existed: read as "not yet".
   */
  participated?: boolean;
}

export interface TConversationMembers {
  type: "DIRECT" | "GROUP";
  members: TMemberRef[];
}

export const MEMBERS_CACHE_TTL_SECONDS = 300;

export function createMembershipReader(deps: {
  db: PrismaClient;
  redis: Redis;
  redisPrefix: string;
}) {
  const keys = redisKeys(deps.redisPrefix);

  async function load(conversationId: string): Promise<TConversationMembers | null> {
    const conv = await deps.db.conversation.findFirst({
      where: { id: conversationId, deletedAt: null },
      select: {
        type: true,
        memberships: {
          select: { userId: true, role: true, mutedUntil: true, participatedAt: true },
        },
      },
    });
    if (!conv) return null;
    return {
      type: conv.type,
      members: conv.memberships.map((m) => ({
        userId: m.userId,
        role: m.role,
        mutedUntil: m.mutedUntil?.toISOString() ?? null,
        participated: m.participatedAt !== null,
      })),
    };
  }

  return {
    /** The conversation's members, or null when it does not exist (or was deleted). */
    async get(conversationId: string): Promise<TConversationMembers | null> {
      const key = keys.members(conversationId);
      const cached = await deps.redis.get(key);
      if (cached) return JSON.parse(cached) as TConversationMembers | null;
      const fresh = await load(conversationId);
      // Cache misses for unknown ids too (briefly) so garbage ids cannot hammer Postgres.
      await deps.redis.set(
        key,
        JSON.stringify(fresh),
        "EX",
        fresh ? MEMBERS_CACHE_TTL_SECONDS : 30,
      );
      return fresh;
    },
    async invalidate(conversationId: string): Promise<void> {
      await deps.redis.del(keys.members(conversationId));
    },
  };
}

export type MembershipReader = ReturnType<typeof createMembershipReader>;
