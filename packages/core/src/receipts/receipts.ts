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
 * The sender's own marks follow their messages: your own message is read.
 * Written off the send path and coalesced: each process keeps the highest
 * seq per (conversation, sender) for `flushMs` and writes them all in one
 * UPDATE, so a busy conversation costs one Postgres write per second per
 * node, not one per message. Nothing depends on these marks at once:
 * unread never counts your own messages (receipts/unread.ts), and what a
 * crash loses (≤ flushMs) your next send or read receipt writes again.
 * Never rejects: a failed flush is logged.
 */
export function createOwnMarks(
  deps: Pick<CoreDeps, "db" | "logger">,
  opts: { flushMs?: number } = {},
) {
  const flushMs = opts.flushMs ?? 1_000;
  const pending = new Map<string, { conversationId: string; userId: string; seq: number }>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return inFlight;
    const batch = [...pending.values()];
    pending.clear();
    const conversations = batch.map((b) => b.conversationId);
    const users = batch.map((b) => b.userId);
    const seqs = batch.map((b) => BigInt(b.seq));
    inFlight = inFlight.then(() =>
      deps.db.$executeRaw`
        UPDATE "Membership" m SET "lastReadSeq" = GREATEST(m."lastReadSeq", v.seq), "lastDeliveredSeq" = GREATEST(m."lastDeliveredSeq", v.seq)
        FROM (SELECT unnest(${conversations}::uuid[]) AS c, unnest(${users}::uuid[]) AS u, unnest(${seqs}::bigint[]) AS seq) v
        WHERE m."conversationId" = v.c AND m."userId" = v.u`.then(
        () => undefined,
        (err: unknown) => {
          deps.logger.warn({ err, marks: batch.length }, "could not advance senders' read marks");
        },
      ),
    );
    return inFlight;
  }

  return {
    /** Remember that `userId` sent `seq` (written within flushMs). */
    advance(input: { conversationId: string; userId: string; seq: number }): void {
      const key = `${input.conversationId}:${input.userId}`;
      const prev = pending.get(key);
      if (!prev || prev.seq < input.seq) pending.set(key, input);
      timer ??= setTimeout(() => void flush(), flushMs);
      timer.unref?.();
    },
    /** Write what is pending now (shutdown, tests). */
    flush,
  };
}

export type OwnMarks = ReturnType<typeof createOwnMarks>;
