// Users as moderators see them: a server-side search with filters and a
// keyset cursor (newest first; stays fast at any page depth and table size),
// and one user's page — profile, conversations, devices, sessions, sanctions,
// reports about them and the audit entries that target them.
import type { Prisma, PrismaClient } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type { TAdminUserQuery, TUserPublic } from "@relay/shared/schemas";
import { effectiveStatus, toPublicUser } from "../users/users";
import { listAudit, type TAuditRow, type TModerationContext } from "./audit";
import { decodeCursor, encodeCursor } from "./cursor";
import { requireRole } from "./roles";

export interface TAdminUserRow extends TUserPublic {
  email: string;
  createdAt: string;
  suspendedUntil: string | null;
}

const toRow = (u: {
  id: string;
  name: string;
  email: string;
  role: TUserPublic["role"];
  status: TUserPublic["status"];
  suspendedUntil: Date | null;
  lastSeenAt: Date | null;
  createdAt: Date;
}): TAdminUserRow => ({
  ...toPublicUser(u, { includeEmail: true }),
  email: u.email,
  createdAt: u.createdAt.toISOString(),
  suspendedUntil: u.suspendedUntil?.toISOString() ?? null,
});

const USER_ROW_SELECT = {
  id: true,
  name: true,
  email: true,
  role: true,
  status: true,
  suspendedUntil: true,
  lastSeenAt: true,
  createdAt: true,
} as const;

export async function listUsers(
  deps: { db: PrismaClient },
  ctx: TModerationContext,
  query: Omit<TAdminUserQuery, "limit"> & { limit: number },
): Promise<{ users: TAdminUserRow[]; nextCursor: string | null }> {
  requireRole(ctx.actor, "MODERATOR", "the user list");
  const cursor = decodeCursor(query.cursor);
  const q = query.query?.replace(/[\\%_]/g, (c) => `\\${c}`);
  const range = (from?: string, to?: string) =>
    from || to
      ? { ...(from ? { gte: new Date(from) } : {}), ...(to ? { lte: new Date(to) } : {}) }
      : undefined;
  const created = range(query.createdFrom, query.createdTo);
  const seen = range(query.lastSeenFrom, query.lastSeenTo);
  const and: Prisma.UserWhereInput[] = [];
  if (q)
    and.push({
      OR: [
        { name: { contains: q, mode: "insensitive" } },
        { email: { contains: q, mode: "insensitive" } },
      ],
    });
  if (query.role) and.push({ role: query.role });
  if (query.status) and.push({ status: query.status });
  if (created) and.push({ createdAt: created });
  if (seen) and.push({ lastSeenAt: seen });
  if (cursor)
    and.push({
      OR: [
        { createdAt: { lt: new Date(cursor.at) } },
        { createdAt: new Date(cursor.at), id: { lt: cursor.id } },
      ],
    });
  const rows = await deps.db.user.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    select: USER_ROW_SELECT,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    users: page.map(toRow),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id })
        : null,
  };
}

export interface TAdminUserDetail {
  user: TAdminUserRow & { sessionsRevokedAt: string | null; totpEnabled: boolean };
  conversations: Array<{
    id: string;
    type: "direct" | "group";
    title: string | null;
    role: "OWNER" | "ADMIN" | "MEMBER";
    joinedAt: string;
    deleted: boolean;
  }>;
  devices: Array<{
    id: string;
    platform: "fcm" | "apns";
    createdAt: string;
    lastUsedAt: string;
    disabledAt: string | null;
  }>;
  /** Refresh-token sessions of API clients (browser sessions are signed cookies, ended by a logout). */
  sessions: Array<{ id: string; createdAt: string; expiresAt: string; revokedAt: string | null }>;
  sanctions: Array<{
    id: string;
    kind: "SUSPENSION" | "BAN";
    reason: string;
    note: string | null;
    expiresAt: string | null;
    createdAt: string;
    createdBy: string | null;
    liftedAt: string | null;
    liftReason: string | null;
  }>;
  reportsAbout: number;
  history: TAuditRow[];
}

export async function getUserForModeration(
  deps: { db: PrismaClient },
  ctx: TModerationContext,
  userId: string,
): Promise<TAdminUserDetail> {
  requireRole(ctx.actor, "MODERATOR", "viewing a user");
  const u = await deps.db.user.findUnique({
    where: { id: userId },
    include: {
      memberships: {
        orderBy: { joinedAt: "desc" },
        take: 100,
        include: { conversation: { select: { type: true, title: true, deletedAt: true } } },
      },
      devices: { orderBy: { lastUsedAt: "desc" } },
      refreshTokens: { orderBy: { createdAt: "desc" }, take: 20 },
      sanctions: {
        orderBy: { createdAt: "desc" },
        take: 20,
        include: { createdBy: { select: { name: true } } },
      },
      _count: { select: { reportsAbout: true } },
    },
  });
  if (!u) throw new AppError("NOT_FOUND", "user not found");
  const { entries } = await listAudit(deps, ctx, {
    targetType: "user",
    targetId: u.id,
    limit: 20,
  });
  return {
    user: {
      ...toRow(u),
      status: effectiveStatus(u),
      sessionsRevokedAt: u.sessionsRevokedAt?.toISOString() ?? null,
      totpEnabled: u.totpEnabledAt !== null,
    },
    conversations: u.memberships.map((m) => ({
      id: m.conversationId,
      type: m.conversation.type === "DIRECT" ? "direct" : "group",
      title: m.conversation.title,
      role: m.role,
      joinedAt: m.joinedAt.toISOString(),
      deleted: m.conversation.deletedAt !== null,
    })),
    devices: u.devices.map((d) => ({
      id: d.id,
      platform: d.platform === "FCM" ? "fcm" : "apns",
      createdAt: d.createdAt.toISOString(),
      lastUsedAt: d.lastUsedAt.toISOString(),
      disabledAt: d.disabledAt?.toISOString() ?? null,
    })),
    sessions: u.refreshTokens.map((t) => ({
      id: t.id,
      createdAt: t.createdAt.toISOString(),
      expiresAt: t.expiresAt.toISOString(),
      revokedAt: t.revokedAt?.toISOString() ?? null,
    })),
    sanctions: u.sanctions.map((s) => ({
      id: s.id,
      kind: s.kind,
      reason: s.reason,
      note: s.note,
      expiresAt: s.expiresAt?.toISOString() ?? null,
      createdAt: s.createdAt.toISOString(),
      createdBy: s.createdBy?.name ?? null,
      liftedAt: s.liftedAt?.toISOString() ?? null,
      liftReason: s.liftReason,
    })),
    reportsAbout: u._count.reportsAbout,
    history: entries,
  };
}
