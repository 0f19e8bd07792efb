// Reports: a member reports a message (category + free text); moderators work
// a queue where the reports of one message form one item, and close it with an
// action (delete the message, suspend the author, or dismiss), which resolves
// every open report of that message at once. Reporters learn only "received".
import { Prisma } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type {
  TReportCategory,
  TReportQueueQuery,
  TReportReceipt,
  TReportRequest,
  TResolveReportsRequest,
} from "@relay/shared/schemas";
import { requireMember } from "../conversations/access";
import type { CoreDeps, TActor } from "../deps";
import { isUniqueViolation, orUnavailable } from "../errors";
import { moderatorDeleteMessage } from "./admin-conversations";
import { recordAudit, type TModerationContext } from "./audit";
import { decodeCursor, encodeCursor } from "./cursor";
import { requireRole } from "./roles";
import { suspendUser, type SanctionDeps } from "./sanctions";

/** Files a report (once per reporter and message; a repeat is "received" again and changes nothing). */
export async function reportMessage(
  deps: Pick<CoreDeps, "db" | "membership" | "messages" | "limits">,
  input: { actor: TActor } & Required<Pick<TReportRequest, "conversationId" | "messageId">> & {
      category: TReportCategory;
      reason: string;
    },
): Promise<TReportReceipt> {
  const { actor, conversationId, messageId } = input;
  await requireMember(deps.membership, conversationId, actor.userId);
  await deps.limits.enforce("report", actor.userId);
  const message = await orUnavailable("message store", () =>
    deps.messages.findById(conversationId, messageId),
  );
  if (!message) throw new AppError("NOT_FOUND", "no such message");
  if (message.senderId === actor.userId)
    throw new AppError("INVALID_PAYLOAD", "you cannot report your own message");
  try {
    await deps.db.$transaction(async (tx) => {
      const report = await tx.report.create({
        data: {
          reporterId: actor.userId,
          authorId: message.senderId,
          conversationId,
          messageId: message.id,
          messageSeq: BigInt(message.seq),
          category: input.category,
          reason: input.reason,
          messageBody: message.deleted ? "" : message.body,
        },
      });
      await recordAudit(
        tx,
        { actor },
        {
          action: "report.created",
          targetType: "message",
          targetId: message.id,
          reason: input.reason || null,
          meta: { reportId: report.id, conversationId, category: input.category },
        },
      );
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err; // already reported by this member
  }
  return { status: "received" };
}

export interface TReportQueueItem {
  messageId: string;
  conversationId: string;
  messageSeq: number;
  authorId: string | null;
  authorName: string | null;
  messageBody: string;
  reports: number;
  categories: TReportCategory[];
  reasons: string[];
  firstReportedAt: string;
  lastReportedAt: string;
  status: "OPEN" | "RESOLVED" | "DISMISSED";
  resolution: string | null;
  resolutionNote: string | null;
  resolvedAt: string | null;
  resolvedById: string | null;
}

interface TQueueRow {
  messageId: string;
  conversationId: string;
  messageSeq: bigint;
  authorId: string | null;
  authorName: string | null;
  messageBody: string;
  reports: bigint;
  categories: TReportCategory[];
  reasons: string[];
  firstAt: Date;
  lastAt: Date;
  resolution: string | null;
  resolutionNote: string | null;
  resolvedAt: Date | null;
  resolvedById: string | null;
}

/** The queue: one item per reported message, most recently reported first, by cursor. */
export async function listReportQueue(
  deps: Pick<CoreDeps, "db">,
  ctx: TModerationContext,
  query: Omit<TReportQueueQuery, "limit" | "status"> & {
    status: TReportQueueItem["status"];
    limit: number;
  },
): Promise<{ items: TReportQueueItem[]; nextCursor: string | null }> {
  requireRole(ctx.actor, "MODERATOR", "the report queue");
  const cursor = decodeCursor(query.cursor);
  const category = query.category
    ? Prisma.sql`AND r.category = ${query.category}::"ReportCategory"`
    : Prisma.empty;
  const after = cursor
    ? Prisma.sql`HAVING (max(r."createdAt"), r."messageId") < (${new Date(cursor.at)}, ${cursor.id}::uuid)`
    : Prisma.empty;
  const rows = await deps.db.$queryRaw<TQueueRow[]>`
    SELECT r."messageId", r."conversationId", max(r."messageSeq") AS "messageSeq",
           r."authorId", max(u.name) AS "authorName", max(r."messageBody") AS "messageBody",
           count(*) AS reports,
           array_agg(DISTINCT r.category::text) AS categories,
           array_remove(array_agg(r.reason ORDER BY r."createdAt"), '') AS reasons,
           min(r."createdAt") AS "firstAt", max(r."createdAt") AS "lastAt",
           max(r.resolution) AS resolution, max(r."resolutionNote") AS "resolutionNote",
           max(r."resolvedAt") AS "resolvedAt", (array_agg(r."resolvedById"))[1] AS "resolvedById"
    FROM "Report" r LEFT JOIN "User" u ON u.id = r."authorId"
    WHERE r.status = ${query.status}::"ReportStatus" ${category}
    GROUP BY r."messageId", r."conversationId", r."authorId"
    ${after}
    ORDER BY max(r."createdAt") DESC, r."messageId" DESC
    LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      messageId: r.messageId,
      conversationId: r.conversationId,
      messageSeq: Number(r.messageSeq),
      authorId: r.authorId,
      authorName: r.authorName,
      messageBody: r.messageBody,
      reports: Number(r.reports),
      categories: r.categories,
      reasons: r.reasons,
      firstReportedAt: r.firstAt.toISOString(),
      lastReportedAt: r.lastAt.toISOString(),
      status: query.status,
      resolution: r.resolution,
      resolutionNote: r.resolutionNote,
      resolvedAt: r.resolvedAt?.toISOString() ?? null,
      resolvedById: r.resolvedById,
    })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor({ at: last.lastAt.toISOString(), id: last.messageId })
        : null,
  };
}

/**
 * Closes every open report of one message: delete the message, suspend its
 * author, or dismiss. The action itself is audited by its own use case; the
 * resolution is audited as `report.resolved` / `report.dismissed`.
 */
export async function resolveReports(
  deps: SanctionDeps & Pick<CoreDeps, "membership" | "messages">,
  ctx: TModerationContext,
  input: TResolveReportsRequest & { suspendMinutes: number | null },
): Promise<{ resolved: number }> {
  requireRole(ctx.actor, "MODERATOR", "resolving reports");
  const open = await deps.db.report.findMany({
    where: { messageId: input.messageId, status: "OPEN" },
    select: { id: true, conversationId: true, authorId: true },
  });
  const first = open[0];
  if (!first) throw new AppError("NOT_FOUND", "no open reports for this message");
  if (input.action === "delete_message") {
    await moderatorDeleteMessage(deps, ctx, {
      conversationId: first.conversationId,
      messageId: input.messageId,
      reason: input.reason,
    }).catch((err: unknown) => {
      // Already deleted (by its sender or another moderator): the reports still close.
      if (!(err instanceof AppError && err.code === "NOT_FOUND")) throw err;
    });
  } else if (input.action === "suspend_author") {
    if (!first.authorId) throw new AppError("CONFLICT", "the author's account no longer exists");
    await suspendUser(deps, ctx, {
      userId: first.authorId,
      reason: input.reason,
      durationMinutes: input.suspendMinutes,
    });
  }
  const dismissed = input.action === "dismiss";
  const now = new Date();
  const resolved = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.report.updateMany({
      where: { messageId: input.messageId, status: "OPEN" },
      data: {
        status: dismissed ? "DISMISSED" : "RESOLVED",
        resolvedAt: now,
        resolvedById: ctx.actor.userId,
        resolution: input.action,
        resolutionNote: input.reason,
      },
    });
    await recordAudit(tx, ctx, {
      action: dismissed ? "report.dismissed" : "report.resolved",
      targetType: "message",
      targetId: input.messageId,
      reason: input.reason,
      meta: { reports: count, action: input.action, conversationId: first.conversationId },
    });
    return count;
  });
  return { resolved };
}
