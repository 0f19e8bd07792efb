// Postgres User.lastSeenAt: written by presence when a user goes offline
// (apps/realtime throttles it to once per user per minute), read for users
// whose live presence Redis no longer has.
import type { PrismaClient } from "@relay/db";

const BATCH = 1_000;

export interface TLastSeen {
  userId: string;
  at: Date;
}

/** Moves each user's lastSeenAt forward to `at` (never back), in batches of one statement each. */
export async function recordLastSeen(
  deps: { db: PrismaClient },
  entries: readonly TLastSeen[],
): Promise<void> {
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    const ids = batch.map((e) => e.userId);
    const ats = batch.map((e) => e.at.toISOString());
    await deps.db.$executeRaw`
      UPDATE "User" AS u SET "lastSeenAt" = v.at AT TIME ZONE 'UTC'
      FROM unnest(${ids}::uuid[], ${ats}::timestamptz[]) AS v(id, at)
      WHERE u.id = v.id AND (u."lastSeenAt" IS NULL OR u."lastSeenAt" < v.at AT TIME ZONE 'UTC')`;
  }
}

/** lastSeenAt of each known user (unknown ids are absent). */
export async function lastSeenOf(
  deps: { db: PrismaClient },
  userIds: readonly string[],
): Promise<Map<string, Date | null>> {
  if (userIds.length === 0) return new Map();
  const rows = await deps.db.user.findMany({
    where: { id: { in: [...userIds] } },
    select: { id: true, lastSeenAt: true },
  });
  return new Map(rows.map((r) => [r.id, r.lastSeenAt]));
}
