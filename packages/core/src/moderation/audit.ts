// The audit log: one append-only row per moderation or admin action (actor
// and their role, action, target, reason, before/after, IP and user agent).
// Rows are only ever inserted — by `recordAudit`, inside the transaction of the
// change it describes, so there is no change without its entry — and a trigger
// refuses UPDATE, DELETE and TRUNCATE (prisma/migrations/…_moderation).
import type { Prisma, PrismaClient } from "@relay/db";
import type { TAuditQuery } from "@relay/shared/schemas";
import type { TActor } from "../deps";
import { decodeCursor, encodeCursor } from "./cursor";
import { requireRole } from "./roles";

/** Who acted and from where, for the audit entry of an admin action. */
export interface TModerationContext {
  actor: TActor;
  ip?: string | null;
  userAgent?: string | null;
}

export interface TAuditEntry {
  action: string;
  targetType: "user" | "conversation" | "message" | "report";
  targetId: string;
  reason?: string | null;
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
  meta?: Prisma.InputJsonValue | null;
}

type Db = Pick<PrismaClient, "auditLog"> | Prisma.TransactionClient;

/** Inserts one entry; `ctx` null is the system (e.g. a suspension expiring). */
export async function recordAudit(
  db: Db,
  ctx: TModerationContext | null,
  entry: TAuditEntry,
): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: ctx?.actor.userId ?? null,
      actorRole: ctx?.actor.role ?? "SYSTEM",
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      reason: entry.reason ?? null,
      ...(entry.before != null ? { before: entry.before } : {}),
      ...(entry.after != null ? { after: entry.after } : {}),
      ...(entry.meta != null ? { meta: entry.meta } : {}),
      ip: ctx?.ip?.slice(0, 64) ?? null,
      userAgent: ctx?.userAgent?.slice(0, 300) ?? null,
    },
  });
}

export interface TAuditRow {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  reason: string | null;
  before: unknown;
  after: unknown;
  meta: unknown;
  ip: string | null;
  userAgent: string | null;
}

/** Newest first, filtered, by cursor (`at`, `id`). */
export async function listAudit(
  deps: { db: PrismaClient },
  ctx: TModerationContext,
  query: Omit<TAuditQuery, "limit"> & { limit: number },
): Promise<{ entries: TAuditRow[]; nextCursor: string | null }> {
  requireRole(ctx.actor, "MODERATOR", "the audit log");
  const cursor = decodeCursor(query.cursor);
  const where: Prisma.AuditLogWhereInput = {
    ...(query.actorId ? { actorId: query.actorId } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.targetType ? { targetType: query.targetType } : {}),
    ...(query.targetId ? { targetId: query.targetId } : {}),
    ...(query.from || query.to
      ? {
          at: {
            ...(query.from ? { gte: new Date(query.from) } : {}),
            ...(query.to ? { lte: new Date(query.to) } : {}),
          },
        }
      : {}),
    ...(cursor
      ? {
          OR: [
            { at: { lt: new Date(cursor.at) } },
            { at: new Date(cursor.at), id: { lt: cursor.id } },
          ],
        }
      : {}),
  };
  const rows = await deps.db.auditLog.findMany({
    where,
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const actorIds = [...new Set(page.map((r) => r.actorId).filter((id): id is string => !!id))];
  const names = new Map(
    (
      await deps.db.user.findMany({
        where: { id: { in: actorIds } },
        select: { id: true, name: true },
      })
    ).map((u) => [u.id, u.name]),
  );
  const last = page.at(-1);
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorId: r.actorId,
      actorName: r.actorId ? (names.get(r.actorId) ?? null) : null,
      actorRole: r.actorRole,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      reason: r.reason,
      before: r.before,
      after: r.after,
      meta: r.meta,
      ip: r.ip,
      userAgent: r.userAgent,
    })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor({ at: last.at.toISOString(), id: last.id })
        : null,
  };
}

const CSV_COLUMNS = [
  "at",
  "actorId",
  "actorName",
  "actorRole",
  "action",
  "targetType",
  "targetId",
  "reason",
  "before",
  "after",
  "ip",
  "userAgent",
] as const;

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with '. */
export function auditToCsv(entries: readonly TAuditRow[]): string {
  const cell = (v: unknown): string => {
    let s = v == null ? "" : typeof v === "string" ? v : JSON.stringify(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [CSV_COLUMNS.join(",")];
  for (const e of entries) lines.push(CSV_COLUMNS.map((c) => cell(e[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
