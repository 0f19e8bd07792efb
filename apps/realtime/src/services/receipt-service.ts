// Delivered/read receipts as per-member high-water marks in Postgres
// (Membership.lastDeliveredSeq / lastReadSeq). Marks only move forward and
// never past the conversation's highest seq; read implies delivered.
import type { MembershipReader, TConversationMembers } from "@relay/core/membership";
import type { PrismaClient } from "@relay/db";
import type { SocketData } from "@relay/shared/events";
import type { TReceiptPayload } from "@relay/shared/schemas";
import { requireMember } from "./access";
import type { Sequencer } from "./sequencer";
import { orUnavailable } from "./unavailable";

export type TReceiptKind = "delivered" | "read";

export function createReceiptService(deps: {
  db: PrismaClient;
  membership: MembershipReader;
  sequencer: Sequencer;
}) {
  return {
    /**
     * Returns the stored mark and, when it moved, the members to tell.
     */
    async mark(
      user: SocketData,
      kind: TReceiptKind,
      p: TReceiptPayload,
    ): Promise<{ seq: number; advanced: boolean; members: TConversationMembers }> {
      const members = await requireMember(deps.membership, p.conversationId, user.userId);
      const head = await orUnavailable("sequencer", () => deps.sequencer.current(p.conversationId));
      const seq = Math.min(p.seq, head);
      const rows = await orUnavailable("database", () =>
        kind === "read"
          ? deps.db.$queryRaw<Array<{ before: bigint; after: bigint }>>`
              UPDATE "Membership" m SET "lastReadSeq" = GREATEST(m."lastReadSeq", ${seq}), "lastDeliveredSeq" = GREATEST(m."lastDeliveredSeq", ${seq})
              FROM (SELECT "lastReadSeq" FROM "Membership" WHERE "conversationId" = ${p.conversationId}::uuid AND "userId" = ${user.userId}::uuid FOR UPDATE) old
              WHERE m."conversationId" = ${p.conversationId}::uuid AND m."userId" = ${user.userId}::uuid
              RETURNING old."lastReadSeq" AS before, m."lastReadSeq" AS after`
          : deps.db.$queryRaw<Array<{ before: bigint; after: bigint }>>`
              UPDATE "Membership" m SET "lastDeliveredSeq" = GREATEST(m."lastDeliveredSeq", ${seq})
              FROM (SELECT "lastDeliveredSeq" FROM "Membership" WHERE "conversationId" = ${p.conversationId}::uuid AND "userId" = ${user.userId}::uuid FOR UPDATE) old
              WHERE m."conversationId" = ${p.conversationId}::uuid AND m."userId" = ${user.userId}::uuid
              RETURNING old."lastDeliveredSeq" AS before, m."lastDeliveredSeq" AS after`,
      );
      const row = rows[0];
      if (!row) return { seq: 0, advanced: false, members };
      return { seq: Number(row.after), advanced: row.after > row.before, members };
    },
  };
}

export type ReceiptService = ReturnType<typeof createReceiptService>;
