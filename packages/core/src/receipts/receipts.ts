// Delivered/read receipts as per-member high-water marks in Postgres
// (Membership.lastDeliveredSeq / lastReadSeq). Marks only move forward and
// never past the conversation's highest seq; read implies delivered. The one
// place that writes these columns.
import type { TReceiptPayload, TReceiptResult } from "@relay/shared/schemas";
import { requireMember } from "../conversations/access";
import type { CoreDeps, TActor } from "../deps";
import { orUnavailable } from "../errors";

export type TReceiptKind = "delivered" | "read";

/**
 * Moves the caller's `kind` mark up to `seq` (clamped to the head) and, when it
 * moved, tells every member — including the reader's other devices, so a read
 * in one tab clears the badge in all — and, for a read, asks the push queue
 * to silently clear that conversation's notification on the reader's phones.
 * Returns the stored mark.
 */
export async function markReceipt(
  deps: Pick<CoreDeps, "db" | "membership" | "sequencer" | "events" | "push" | "logger">,
  input: { actor: TActor; kind: TReceiptKind } & TReceiptPayload,
): Promise<TReceiptResult> {
  const { actor, kind, conversationId } = input;
  const members = await requireMember(deps.membership, conversationId, actor.userId);
  const head = await orUnavailable("sequencer", () => deps.sequencer.current(conversationId));
  const seq = Math.min(input.seq, head);
  const rows = await orUnavailable("database", () =>
    kind === "read"
      ? deps.db.$queryRaw<Array<{ before: bigint; after: bigint }>>`
          UPDATE "Membership" m SET "lastReadSeq" = GREATEST(m."lastReadSeq", ${seq}), "lastDeliveredSeq" = GREATEST(m."lastDeliveredSeq", ${seq})
          FROM (SELECT "lastReadSeq" FROM "Membership" WHERE "conversationId" = ${conversationId}::uuid AND "userId" = ${actor.userId}::uuid FOR UPDATE) old
          WHERE m."conversationId" = ${conversationId}::uuid AND m."userId" = ${actor.userId}::uuid
          RETURNING old."lastReadSeq" AS before, m."lastReadSeq" AS after`
      : deps.db.$queryRaw<Array<{ before: bigint; after: bigint }>>`
          UPDATE "Membership" m SET "lastDeliveredSeq" = GREATEST(m."lastDeliveredSeq", ${seq})
          FROM (SELECT "lastDeliveredSeq" FROM "Membership" WHERE "conversationId" = ${conversationId}::uuid AND "userId" = ${actor.userId}::uuid FOR UPDATE) old
          WHERE m."conversationId" = ${conversationId}::uuid AND m."userId" = ${actor.userId}::uuid
          RETURNING old."lastDeliveredSeq" AS before, m."lastDeliveredSeq" AS after`,
  );
  const row = rows[0];
  if (!row) return { seq: 0 };
  if (row.after > row.before) {
    deps.events.toMembers(members, "receipt", {
      conversationId,
      userId: actor.userId,
      kind,
      seq: Number(row.after),
    });
    // Best effort and off the receipt's path, like the emit: a lost clear
    // leaves a notification the next read (or the app itself) removes.
    if (kind === "read")
      deps.push
        .conversationRead({ userId: actor.userId, conversationId, readSeq: Number(row.after) })
        .catch((err: unknown) =>
          deps.logger.warn({ err, conversationId }, "could not enqueue the clear push"),
        );
  }
  return { seq: Number(row.after) };
}

/**
 * The sender's own marks follow their message: your own message is read.
 * The send path does not await it (the ack does not wait for Postgres); it
 * never rejects: a failure is logged and healed by the sender's next read
 * receipt.
 */
export async function advanceOwnMarks(
  deps: Pick<CoreDeps, "db" | "logger">,
  input: { conversationId: string; userId: string; seq: number },
): Promise<void> {
  const { conversationId, userId, seq } = input;
  await deps.db
    .$executeRaw`UPDATE "Membership" SET "lastReadSeq" = GREATEST("lastReadSeq", ${seq}), "lastDeliveredSeq" = GREATEST("lastDeliveredSeq", ${seq}) WHERE "conversationId" = ${conversationId}::uuid AND "userId" = ${userId}::uuid`.catch(
    (err: unknown) => {
      deps.logger.warn({ err, conversationId }, "could not advance the sender's read mark");
      return 0;
    },
  );
}
