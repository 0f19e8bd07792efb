/**
 * The MessageRepository contract, run against every implementation
 * (in-memory.test.ts, cassandra.integration.test.ts). Every test uses fresh
 * random conversation ids, so suites may share one keyspace and run in parallel.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { Page, StoredMessage } from "./model";
import type { MessageRepository } from "./repository";

/** Seqs with gaps that straddle bucket boundaries (buckets 0, 0, 1, 1, 2, 7). */
export const GAP_SEQS = [5, 999, 1000, 1001, 2500, 7100] as const;

const BASE_TIME = Date.parse("2025-01-01T00:00:00.000Z");

/** The latest message of one conversation (through latestMany, the repository's only "latest" read). */
export async function latestOf(
  repo: MessageRepository,
  conversationId: string,
): Promise<StoredMessage | null> {
  return (await repo.latestMany([conversationId])).get(conversationId) ?? null;
}

export function makeMessage(
  conversationId: string,
  seq: number,
  overrides: Partial<StoredMessage> = {},
): StoredMessage {
  return {
    id: randomUUID(),
    conversationId,
    seq,
    senderId: randomUUID(),
    clientMsgId: `client-${seq}-${randomUUID()}`,
    body: `message #${seq}`,
    kind: "text",
    createdAt: new Date(BASE_TIME + seq * 1000),
    editedAt: null,
    deleted: false,
    ...overrides,
  };
}

const seqsOf = (page: Page) => page.messages.map((m) => m.seq);

export function describeMessageRepository(
  name: string,
  makeRepo: () => MessageRepository | Promise<MessageRepository>,
): void {
  describe(`MessageRepository contract: ${name}`, () => {
    let repo: MessageRepository;

    beforeEach(async () => {
      repo = await makeRepo();
    });

    async function seed(seqs: readonly number[], conversationId: string = randomUUID()) {
      const messages = seqs.map((seq) => makeMessage(conversationId, seq));
      await Promise.all(messages.map((m) => repo.insert(m)));
      return { conversationId, messages };
    }

    /** Pages through everything with `limit`, in the given direction, checking hasMore on the way. */
    async function walk(
      conversationId: string,
      direction: "backward" | "forward",
      limit: number,
    ): Promise<number[]> {
      const seen: number[] = [];
      let cursor: number | undefined;
      for (let i = 0; i < 100; i++) {
        const page =
          direction === "backward"
            ? await repo.page(
                conversationId,
                cursor === undefined ? { limit } : { beforeSeq: cursor, limit },
              )
            : await repo.page(conversationId, { afterSeq: cursor ?? 0, limit });
        expect(page.messages.length).toBeLessThanOrEqual(limit);
        const seqs = seqsOf(page);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        if (direction === "backward") seen.unshift(...seqs);
        else seen.push(...seqs);
        if (!page.hasMore) return seen;
        expect(page.messages).toHaveLength(limit);
        cursor = direction === "backward" ? seqs[0] : seqs[seqs.length - 1];
      }
      throw new Error("pagination did not terminate");
    }

    describe("insert and read back", () => {
      it("round-trips every field through findById, page and latest", async () => {
        const conversationId = randomUUID();
        const msg = makeMessage(conversationId, 42, {
          body: "héllo 👋 'quoted'; -- not a comment",
        });
        await repo.insert(msg);

        expect(await repo.findById(conversationId, msg.id)).toEqual(msg);
        const page = await repo.page(conversationId, { limit: 10 });
        expect(page).toEqual({ messages: [msg], hasMore: false });
        expect(await latestOf(repo, conversationId)).toEqual(msg);
      });

      it("stores null clientMsgId, system kind, an editedAt and an empty body", async () => {
        const conversationId = randomUUID();
        const system = makeMessage(conversationId, 1, {
          clientMsgId: null,
          kind: "system",
          body: "",
        });
        const edited = makeMessage(conversationId, 2, { editedAt: new Date(BASE_TIME + 5_000) });
        await repo.insert(system);
        await repo.insert(edited);

        expect(await repo.findById(conversationId, system.id)).toEqual(system);
        expect(await repo.findById(conversationId, edited.id)).toEqual(edited);
      });

      it("accepts upper-case ids and returns lower-case ones", async () => {
        const conversationId = randomUUID();
        const msg = makeMessage(conversationId, 7);
        await repo.insert({
          ...msg,
          id: msg.id.toUpperCase(),
          conversationId: conversationId.toUpperCase(),
        });

        expect(await repo.findById(conversationId.toUpperCase(), msg.id.toUpperCase())).toEqual(
          msg,
        );
        expect(await repo.findById(conversationId, msg.id)).toEqual(msg);
      });

      it("keeps conversations apart, even with equal seqs", async () => {
        const a = await seed([1, 2, 3]);
        const b = await seed([2, 3]);

        expect(seqsOf(await repo.page(a.conversationId, { limit: 10 }))).toEqual([1, 2, 3]);
        expect((await repo.page(b.conversationId, { limit: 10 })).messages).toEqual(b.messages);
        expect(await repo.findById(b.conversationId, a.messages[0]!.id)).toBeNull();
      });

      it("rejects invalid messages and stores nothing", async () => {
        const conversationId = randomUUID();
        const bad: Partial<StoredMessage>[] = [
          { seq: 0 },
          { seq: -3 },
          { seq: 1.5 },
          { id: "not-a-uuid" },
          { senderId: "" },
          { kind: "video" as StoredMessage["kind"] },
          { createdAt: new Date(Number.NaN) },
        ];
        for (const overrides of bad) {
          await expect(repo.insert(makeMessage(conversationId, 1, overrides))).rejects.toThrow();
        }
        await expect(repo.insert(makeMessage("nope", 1))).rejects.toThrow();
        expect(await repo.maxSeq(conversationId)).toBe(0);
        expect(await repo.page(conversationId, { limit: 10 })).toEqual({
          messages: [],
          hasMore: false,
        });
      });
    });

    describe("paging across buckets with gaps (seqs 5, 999, 1000, 1001, 2500, 7100)", () => {
      it("returns the latest messages when no bound is given", async () => {
        const { conversationId, messages } = await seed(GAP_SEQS);

        expect(seqsOf(await repo.page(conversationId, { limit: 1 }))).toEqual([7100]);
        const two = await repo.page(conversationId, { limit: 2 });
        expect(seqsOf(two)).toEqual([2500, 7100]);
        expect(two.hasMore).toBe(true);

        const four = await repo.page(conversationId, { limit: 4 });
        expect(seqsOf(four)).toEqual([1000, 1001, 2500, 7100]);
        expect(four.hasMore).toBe(true);

        const all = await repo.page(conversationId, { limit: 6 });
        expect(all.messages).toEqual(messages);
        expect(all.hasMore).toBe(false);
        expect(await repo.page(conversationId, { limit: 100 })).toEqual({
          messages,
          hasMore: false,
        });
      });

      it("pages backwards with beforeSeq", async () => {
        const { conversationId } = await seed(GAP_SEQS);

        const p1 = await repo.page(conversationId, { beforeSeq: 2500, limit: 2 });
        expect(seqsOf(p1)).toEqual([1000, 1001]);
        expect(p1.hasMore).toBe(true);

        const p2 = await repo.page(conversationId, { beforeSeq: 1000, limit: 2 });
        expect(seqsOf(p2)).toEqual([5, 999]);
        expect(p2.hasMore).toBe(false);

        const p3 = await repo.page(conversationId, { beforeSeq: 1001, limit: 2 });
        expect(seqsOf(p3)).toEqual([999, 1000]);
        expect(p3.hasMore).toBe(true);

        const p4 = await repo.page(conversationId, { beforeSeq: 7100, limit: 3 });
        expect(seqsOf(p4)).toEqual([1000, 1001, 2500]);
        expect(p4.hasMore).toBe(true);

        // a bound inside a gap, and one far above the head
        expect(seqsOf(await repo.page(conversationId, { beforeSeq: 5000, limit: 1 }))).toEqual([
          2500,
        ]);
        const above = await repo.page(conversationId, { beforeSeq: 1_000_000_000, limit: 2 });
        expect(seqsOf(above)).toEqual([2500, 7100]);
        expect(above.hasMore).toBe(true);

        // the bottom: nothing below the first message
        const last = await repo.page(conversationId, { beforeSeq: 6, limit: 5 });
        expect(seqsOf(last)).toEqual([5]);
        expect(last.hasMore).toBe(false);
        expect(await repo.page(conversationId, { beforeSeq: 5, limit: 5 })).toEqual({
          messages: [],
          hasMore: false,
        });
        expect(await repo.page(conversationId, { beforeSeq: 1, limit: 5 })).toEqual({
          messages: [],
          hasMore: false,
        });
      });

      it("pages forwards with afterSeq", async () => {
        const { conversationId } = await seed(GAP_SEQS);

        const p1 = await repo.page(conversationId, { afterSeq: 0, limit: 2 });
        expect(seqsOf(p1)).toEqual([5, 999]);
        expect(p1.hasMore).toBe(true);

        const p2 = await repo.page(conversationId, { afterSeq: 999, limit: 3 });
        expect(seqsOf(p2)).toEqual([1000, 1001, 2500]);
        expect(p2.hasMore).toBe(true);

        const p3 = await repo.page(conversationId, { afterSeq: 2500, limit: 3 });
        expect(seqsOf(p3)).toEqual([7100]);
        expect(p3.hasMore).toBe(false);

        const exact = await repo.page(conversationId, { afterSeq: 1001, limit: 2 });
        expect(seqsOf(exact)).toEqual([2500, 7100]);
        expect(exact.hasMore).toBe(false);

        expect(seqsOf(await repo.page(conversationId, { afterSeq: 3000, limit: 9 }))).toEqual([
          7100,
        ]);
        expect(await repo.page(conversationId, { afterSeq: 7100, limit: 5 })).toEqual({
          messages: [],
          hasMore: false,
        });
        expect(await repo.page(conversationId, { afterSeq: 1_000_000_000, limit: 5 })).toEqual({
          messages: [],
          hasMore: false,
        });
      });

      it("returns the lowest seqs strictly between afterSeq and beforeSeq when both are given", async () => {
        const { conversationId } = await seed(GAP_SEQS);

        const all = await repo.page(conversationId, { afterSeq: 5, beforeSeq: 2500, limit: 10 });
        expect(seqsOf(all)).toEqual([999, 1000, 1001]);
        expect(all.hasMore).toBe(false);

        const some = await repo.page(conversationId, { afterSeq: 5, beforeSeq: 2500, limit: 2 });
        expect(seqsOf(some)).toEqual([999, 1000]);
        expect(some.hasMore).toBe(true);

        expect(
          await repo.page(conversationId, { afterSeq: 1001, beforeSeq: 2500, limit: 10 }),
        ).toEqual({ messages: [], hasMore: false });
      });

      it("walks the whole conversation in both directions without gaps or duplicates", async () => {
        const { conversationId } = await seed(GAP_SEQS);
        for (const limit of [1, 2, 4, 5, 6, 7]) {
          expect(await walk(conversationId, "backward", limit)).toEqual([...GAP_SEQS]);
          expect(await walk(conversationId, "forward", limit)).toEqual([...GAP_SEQS]);
        }
      });

      it("returns an empty page for an empty conversation", async () => {
        const conversationId = randomUUID();
        const empty = { messages: [], hasMore: false };
        expect(await repo.page(conversationId, { limit: 10 })).toEqual(empty);
        expect(await repo.page(conversationId, { beforeSeq: 10, limit: 10 })).toEqual(empty);
        expect(await repo.page(conversationId, { afterSeq: 0, limit: 10 })).toEqual(empty);
      });
    });

    describe("limit", () => {
      it("is honoured in every direction on a dense conversation spanning a bucket boundary", async () => {
        const seqs = Array.from({ length: 30 }, (_, i) => 985 + i); // 985..1014
        const { conversationId } = await seed(seqs);

        const latest = await repo.page(conversationId, { limit: 10 });
        expect(seqsOf(latest)).toEqual(seqs.slice(-10));
        expect(latest.hasMore).toBe(true);

        const across = await repo.page(conversationId, { beforeSeq: 1005, limit: 10 });
        expect(seqsOf(across)).toEqual(seqs.filter((s) => s >= 995 && s < 1005));
        expect(across.hasMore).toBe(true);

        const forward = await repo.page(conversationId, { afterSeq: 990, limit: 12 });
        expect(seqsOf(forward)).toEqual(seqs.filter((s) => s > 990 && s <= 1002));
        expect(forward.hasMore).toBe(true);

        expect(seqsOf(await repo.page(conversationId, { limit: 1 }))).toEqual([1014]);
        expect(seqsOf(await repo.page(conversationId, { afterSeq: 0, limit: 1 }))).toEqual([985]);

        const everything = await repo.page(conversationId, { limit: 30 });
        expect(seqsOf(everything)).toEqual(seqs);
        expect(everything.hasMore).toBe(false);
      });

      it("must be a positive integer", async () => {
        const { conversationId } = await seed([1]);
        await expect(repo.page(conversationId, { limit: 0 })).rejects.toThrow(RangeError);
        await expect(repo.page(conversationId, { limit: -1 })).rejects.toThrow(RangeError);
        await expect(repo.page(conversationId, { limit: 2.5 })).rejects.toThrow(RangeError);
      });
    });

    describe("edit", () => {
      it("replaces the body and sets editedAt, visible to every read", async () => {
        const { conversationId, messages } = await seed([1, 2]);
        const target = messages[1]!;
        const editedAt = new Date(BASE_TIME + 60_000);

        const updated = await repo.edit(conversationId, target.id, "fixed typo", editedAt);
        expect(updated).toEqual({ ...target, body: "fixed typo", editedAt });
        expect(await repo.findById(conversationId, target.id)).toEqual(updated);
        expect((await repo.page(conversationId, { limit: 10 })).messages).toEqual([
          messages[0],
          updated,
        ]);
        expect(await latestOf(repo, conversationId)).toEqual(updated);

        const again = await repo.edit(
          conversationId,
          target.id,
          "second edit",
          new Date(BASE_TIME + 61_000),
        );
        expect(again?.body).toBe("second edit");
        expect((await repo.findById(conversationId, target.id))?.body).toBe("second edit");
        expect((await repo.findById(conversationId, target.id))?.editedAt).toEqual(
          new Date(BASE_TIME + 61_000),
        );
      });

      it("returns null for unknown messages and for another conversation's message", async () => {
        const { conversationId, messages } = await seed([1]);
        expect(await repo.edit(conversationId, randomUUID(), "x", new Date())).toBeNull();
        expect(await repo.edit(randomUUID(), messages[0]!.id, "x", new Date())).toBeNull();
        expect(await repo.edit(conversationId, "not-a-uuid", "x", new Date())).toBeNull();
        expect((await repo.findById(conversationId, messages[0]!.id))?.body).toBe(
          messages[0]!.body,
        );
      });
    });

    describe("markDeleted", () => {
      it("sets deleted, clears the body and records the time", async () => {
        const { conversationId, messages } = await seed([1, 2, 3]);
        const target = messages[1]!;
        const at = new Date(BASE_TIME + 90_000);

        const deleted = await repo.markDeleted(conversationId, target.id, at);
        expect(deleted).toEqual({ ...target, deleted: true, body: "", editedAt: at });
        expect(await repo.findById(conversationId, target.id)).toEqual(deleted);
        const page = await repo.page(conversationId, { limit: 10 });
        expect(page.messages).toEqual([messages[0], deleted, messages[2]]);
      });

      it("is idempotent, blocks later edits, and returns null for unknown ids", async () => {
        const { conversationId, messages } = await seed([1]);
        const target = messages[0]!;
        const first = new Date(BASE_TIME + 10_000);

        await repo.markDeleted(conversationId, target.id, first);
        const second = await repo.markDeleted(
          conversationId,
          target.id,
          new Date(BASE_TIME + 20_000),
        );
        expect(second).toEqual({ ...target, deleted: true, body: "", editedAt: first });

        expect(await repo.edit(conversationId, target.id, "resurrected?", new Date())).toBeNull();
        expect(await repo.findById(conversationId, target.id)).toEqual(second);

        expect(await repo.markDeleted(conversationId, randomUUID(), new Date())).toBeNull();
        expect(await repo.markDeleted(randomUUID(), target.id, new Date())).toBeNull();
      });
    });

    describe("changedSince", () => {
      it("returns edited and deleted messages changed after the given time, in seq order", async () => {
        const { conversationId, messages } = await seed([1, 2, 3, 4]);
        await repo.edit(conversationId, messages[0]!.id, "early edit", new Date(BASE_TIME + 1_000));
        await repo.edit(conversationId, messages[2]!.id, "late edit", new Date(BASE_TIME + 5_000));
        await repo.markDeleted(conversationId, messages[1]!.id, new Date(BASE_TIME + 6_000));

        const changed = await repo.changedSince(conversationId, new Date(BASE_TIME + 2_000), 10);
        expect(changed.map((m) => [m.seq, m.body, m.deleted])).toEqual([
          [2, "", true],
          [3, "late edit", false],
        ]);
        expect(await repo.changedSince(conversationId, new Date(BASE_TIME + 6_000), 10)).toEqual(
          [],
        );
        expect(
          (await repo.changedSince(conversationId, new Date(BASE_TIME), 10)).map((m) => m.seq),
        ).toEqual([1, 2, 3]);
        expect(await repo.changedSince(randomUUID(), new Date(BASE_TIME), 10)).toEqual([]);
      });
    });

    describe("latest, latestMany, maxSeq", () => {
      it("latest is the highest seq whatever the insert order", async () => {
        const conversationId = randomUUID();
        expect(await latestOf(repo, conversationId)).toBeNull();
        const high = makeMessage(conversationId, 7100);
        await repo.insert(high);
        await repo.insert(makeMessage(conversationId, 5));
        await repo.insert(makeMessage(conversationId, 2500));
        expect(await latestOf(repo, conversationId)).toEqual(high);
      });

      it("latestMany maps each non-empty conversation to its latest message", async () => {
        const a = await seed([1, 2, 1001]);
        const b = await seed([3]);
        const empty = randomUUID();

        const result = await repo.latestMany([
          a.conversationId,
          empty,
          b.conversationId,
          a.conversationId,
        ]);
        expect(result).toBeInstanceOf(Map);
        expect(result.size).toBe(2);
        expect(result.get(a.conversationId)).toEqual(a.messages[2]);
        expect(result.get(b.conversationId)).toEqual(b.messages[0]);
        expect(result.has(empty)).toBe(false);

        expect((await repo.latestMany([])).size).toBe(0);
      });

      it("maxSeq is 0 when empty and the highest seq otherwise, whatever the insert order", async () => {
        const conversationId = randomUUID();
        expect(await repo.maxSeq(conversationId)).toBe(0);
        await repo.insert(makeMessage(conversationId, 10));
        await repo.insert(makeMessage(conversationId, 5));
        expect(await repo.maxSeq(conversationId)).toBe(10);
        await repo.insert(makeMessage(conversationId, 1500));
        expect(await repo.maxSeq(conversationId)).toBe(1500);
        await repo.insert(makeMessage(conversationId, 11));
        expect(await repo.maxSeq(conversationId)).toBe(1500);
      });

      it("maxSeq handles seqs beyond 32 bits", async () => {
        const conversationId = randomUUID();
        const big = 2 ** 40 + 3;
        const msg = makeMessage(conversationId, big, { createdAt: new Date(BASE_TIME) });
        await repo.insert(msg);
        expect(await repo.maxSeq(conversationId)).toBe(big);
        expect(await repo.findById(conversationId, msg.id)).toEqual(msg);
      });
    });

    describe("idempotent insert", () => {
      it("re-inserting the same message stores it once", async () => {
        const conversationId = randomUUID();
        const msg = makeMessage(conversationId, 1000);
        await repo.insert(msg);
        await repo.insert(msg);
        await Promise.all([repo.insert(msg), repo.insert(msg)]);

        expect(await repo.page(conversationId, { limit: 10 })).toEqual({
          messages: [msg],
          hasMore: false,
        });
        expect(await repo.maxSeq(conversationId)).toBe(1000);
        expect(await repo.findById(conversationId, msg.id)).toEqual(msg);
      });

      it("a late retried insert does not undo an edit or a delete", async () => {
        const conversationId = randomUUID();
        const edited = makeMessage(conversationId, 1);
        const deleted = makeMessage(conversationId, 2);
        await repo.insert(edited);
        await repo.insert(deleted);
        const afterEdit = await repo.edit(
          conversationId,
          edited.id,
          "edited",
          new Date(BASE_TIME + 100_000),
        );
        const afterDelete = await repo.markDeleted(
          conversationId,
          deleted.id,
          new Date(BASE_TIME + 100_000),
        );

        await repo.insert(edited);
        await repo.insert(deleted);

        expect(await repo.findById(conversationId, edited.id)).toEqual(afterEdit);
        expect(await repo.findById(conversationId, deleted.id)).toEqual(afterDelete);
        expect((await repo.page(conversationId, { limit: 10 })).messages).toEqual([
          afterEdit,
          afterDelete,
        ]);
      });
    });

    describe("findByClientMsgId", () => {
      it("finds the sender's message by clientMsgId, in its conversation only", async () => {
        const conversationId = randomUUID();
        const msg = makeMessage(conversationId, 7);
        await repo.insert(msg);
        await repo.insert(makeMessage(conversationId, 8)); // another sender's
        expect(
          await repo.findByClientMsgId(conversationId, msg.senderId, msg.clientMsgId!),
        ).toEqual(msg);
        expect(
          await repo.findByClientMsgId(
            conversationId,
            msg.senderId.toUpperCase(),
            msg.clientMsgId!,
          ),
        ).toEqual(msg);
        expect(
          await repo.findByClientMsgId(randomUUID(), msg.senderId, msg.clientMsgId!),
        ).toBeNull();
        expect(
          await repo.findByClientMsgId(conversationId, randomUUID(), msg.clientMsgId!),
        ).toBeNull();
        expect(await repo.findByClientMsgId(conversationId, msg.senderId, "other")).toBeNull();
        expect(await repo.findByClientMsgId("not-a-uuid", "nope", "x")).toBeNull();
      });

      it("reflects a later delete (the current state of the message)", async () => {
        const conversationId = randomUUID();
        const msg = makeMessage(conversationId, 1);
        await repo.insert(msg);
        await repo.markDeleted(conversationId, msg.id, new Date(BASE_TIME + 100_000));
        expect(
          await repo.findByClientMsgId(conversationId, msg.senderId, msg.clientMsgId!),
        ).toMatchObject({ id: msg.id, deleted: true, body: "" });
      });
    });

    describe("countUnread", () => {
      it("counts messages above the mark (not seq distance), skipping the reader's own and deleted ones", async () => {
        const conversationId = randomUUID();
        const reader = randomUUID();
        // seqs with a 100-wide gap across a bucket boundary, as a Redis re-seed leaves
        const seqs = [1, 2, 3, 998, 1099, 1100, 1101];
        const msgs = seqs.map((seq) =>
          makeMessage(conversationId, seq, seq === 1100 ? { senderId: reader } : {}),
        );
        await Promise.all(msgs.map((m) => repo.insert(m)));
        await repo.markDeleted(conversationId, msgs[6]!.id, new Date(BASE_TIME + 100_000_000));
        const count = (afterSeq: number, cap = 100, headSeq?: number) =>
          repo.countUnread(conversationId, {
            afterSeq,
            readerId: reader,
            cap,
            ...(headSeq === undefined ? {} : { headSeq }),
          });
        expect(await count(0)).toBe(5); // 1, 2, 3, 998, 1099
        expect(await count(3)).toBe(2);
        expect(await count(998)).toBe(1);
        expect(await count(1101)).toBe(0);
        expect(await count(0, 3)).toBe(3);
        expect(await count(0, 100, 1101)).toBe(5);
        expect(
          await repo.countUnread(randomUUID(), { afterSeq: 0, readerId: reader, cap: 9 }),
        ).toBe(0);
      });
    });

    describe("unknown ids", () => {
      it("return null, 0 or an empty page, also for malformed ids", async () => {
        const { conversationId, messages } = await seed([1]);
        const stranger = randomUUID();

        expect(await repo.findById(conversationId, randomUUID())).toBeNull();
        expect(await repo.findById(stranger, messages[0]!.id)).toBeNull();
        expect(await repo.findById(stranger, randomUUID())).toBeNull();
        expect(await repo.findById("not-a-uuid", "also-not")).toBeNull();
        expect(await latestOf(repo, stranger)).toBeNull();
        expect(await latestOf(repo, "not-a-uuid")).toBeNull();
        expect(await repo.maxSeq(stranger)).toBe(0);
        expect(await repo.maxSeq("not-a-uuid")).toBe(0);
        expect(await repo.page(stranger, { limit: 5 })).toEqual({ messages: [], hasMore: false });
        expect(await repo.page("not-a-uuid", { limit: 5 })).toEqual({
          messages: [],
          hasMore: false,
        });
        expect((await repo.latestMany([stranger, "not-a-uuid"])).size).toBe(0);
      });
    });

    it("ping resolves when the store is reachable", async () => {
      await expect(repo.ping()).resolves.toBeUndefined();
    });
  });
}
