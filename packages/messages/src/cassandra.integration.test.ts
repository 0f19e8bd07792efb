import { randomUUID } from "node:crypto";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CassandraMessageRepository } from "./cassandra-repository";
import { createCassandraClient } from "./client";
import { describeMessageRepository, latestOf, makeMessage } from "./repository.contract";
import { connectTestCassandra, testCassandraConfig } from "./testing";

const config = testCassandraConfig();
let client: Client | undefined;

function requireClient(): Client {
  if (!client) throw new Error("Cassandra client not connected (beforeAll failed)");
  return client;
}

beforeAll(async () => {
  client = await connectTestCassandra(config);
});

afterAll(async () => {
  await client?.shutdown();
});

describeMessageRepository(
  "CassandraMessageRepository",
  () => new CassandraMessageRepository(requireClient(), { keyspace: config.keyspace }),
);

describe("CassandraMessageRepository storage details", () => {
  const ks = config.keyspace;
  const repo = () => new CassandraMessageRepository(requireClient(), { keyspace: ks });

  it("stores rows in bucket floor(seq / 1000), written at created_at, with a by-id lookup", async () => {
    const conversationId = randomUUID();
    const msg = makeMessage(conversationId, 1999);
    await repo().insert(msg);

    const rs = await requireClient().execute(
      `SELECT bucket, seq, message_id, WRITETIME(body) AS wt FROM ${ks}.messages WHERE conversation_id = ? AND bucket = ?`,
      [conversationId, 1],
      { prepare: true },
    );
    expect(rs.rows).toHaveLength(1);
    const row = rs.rows[0]!;
    expect(Number(row.get("bucket"))).toBe(1);
    expect(Number(row.get("seq"))).toBe(1999);
    expect(String(row.get("message_id"))).toBe(msg.id);
    expect(Number(row.get("wt"))).toBe(msg.createdAt.getTime() * 1000);

    const byId = await requireClient().execute(
      `SELECT conversation_id, seq FROM ${ks}.messages_by_id WHERE message_id = ?`,
      [msg.id],
      {
        prepare: true,
      },
    );
    expect(String(byId.first().get("conversation_id"))).toBe(conversationId);
    expect(Number(byId.first().get("seq"))).toBe(1999);
  });

  it("writes conversation_heads USING TIMESTAMP <seq>, so the highest seq wins regardless of order", async () => {
    const conversationId = randomUUID();
    await repo().insert(makeMessage(conversationId, 1000));
    await repo().insert(makeMessage(conversationId, 5));

    const rs = await requireClient().execute(
      `SELECT last_seq, WRITETIME(last_seq) AS wt FROM ${ks}.conversation_heads WHERE conversation_id = ?`,
      [conversationId],
      { prepare: true },
    );
    expect(Number(rs.first().get("last_seq"))).toBe(1000);
    expect(Number(rs.first().get("wt"))).toBe(1000);
  });

  it("latest falls back to a walk when the head points past the stored rows", async () => {
    const conversationId = randomUUID();
    const messages = [1, 2, 3].map((seq) => makeMessage(conversationId, seq));
    for (const m of messages) await repo().insert(m);
    // Simulate a head ahead of its row (e.g. a batch still being replayed).
    await requireClient().execute(
      `UPDATE ${ks}.conversation_heads USING TIMESTAMP 1050 SET last_seq = 1050 WHERE conversation_id = ?`,
      [conversationId],
      { prepare: true },
    );

    expect(await repo().maxSeq(conversationId)).toBe(1050);
    expect(await latestOf(repo(), conversationId)).toEqual(messages[2]);
    expect((await repo().page(conversationId, { limit: 2 })).messages).toEqual(messages.slice(1));
    expect((await repo().page(conversationId, { afterSeq: 2, limit: 2 })).messages).toEqual(
      messages.slice(2),
    );
  });

  it("uses keyspace-qualified statements, so it works on a client with no session keyspace", async () => {
    const bare = createCassandraClient({
      contactPoints: config.contactPoints,
      localDataCenter: config.localDataCenter,
    });
    try {
      expect(() => new CassandraMessageRepository(bare)).toThrow(TypeError);
      const r = new CassandraMessageRepository(bare, { keyspace: ks });
      const msg = makeMessage(randomUUID(), 12);
      await r.insert(msg);
      expect(await r.findById(msg.conversationId, msg.id)).toEqual(msg);
      expect(await repo().findById(msg.conversationId, msg.id)).toEqual(msg);
    } finally {
      await bare.shutdown();
    }
  });

  it("ping rejects when Cassandra is unreachable", async () => {
    const dead = createCassandraClient({
      contactPoints: "127.0.0.1:1",
      localDataCenter: config.localDataCenter,
    });
    try {
      await expect(new CassandraMessageRepository(dead, { keyspace: ks }).ping()).rejects.toThrow();
    } finally {
      await dead.shutdown();
    }
  });
});
