// Who may watch whose presence: yourself, and people you share a live
// (not deleted) conversation with.
import type { PrismaClient } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import { orUnavailable } from "../errors";

/**
 * One query: the requested users who share a live conversation with the
 * watcher (or are the watcher), with their Postgres lastSeenAt. Anyone else
 * refuses the whole request with FORBIDDEN, without saying who (unknown and
 * unrelated ids look the same).
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
  if (rows.length !== ids.length)
    throw new AppError(
      "FORBIDDEN",
      "you can only watch the presence of people you share a conversation with",
    );
  return new Map(rows.map((r) => [r.id, r.lastSeenAt]));
}
