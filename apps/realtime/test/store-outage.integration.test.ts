// Invariant 1 and 2 under a Cassandra outage: nothing is acknowledged while the
// store is down, and the client's retry after it returns reuses its reserved seq.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisKeys } from "@relay/core";
import type { TMessage, TMessageSendResult } from "@relay/shared/schemas";
import { startTcpProxy, type TcpProxy } from "@relay/tooling/tcp-proxy";
import {
  connectAs,
  createConversation,
  createUser,
  newClientMsgId,
  nextEvent,
  request,
} from "./fixtures";
import { env, startNode, type TestNode } from "./helpers";

describe("Cassandra down during a send", () => {
  let proxy: TcpProxy;
  let node: TestNode;
  let healthy: TestNode;
  beforeAll(async () => {
    const [host, port] = env.CASSANDRA_CONTACT_POINTS.split(",")[0]!.split(":");
    proxy = await startTcpProxy({ host: host!, port: Number(port ?? 9042) });
    [node, healthy] = await Promise.all([
      startNode({ CASSANDRA_CONTACT_POINTS: `127.0.0.1:${proxy.port}` }),
      startNode(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([node.close(), healthy.close()]);
    await proxy.close();
  });

  it("answers UNAVAILABLE, acks nothing, and the retry succeeds with the reserved seq", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await connectAs(node.url, alice);
    const b = await connectAs(healthy.url, bob);
    try {
      const first = await request<TMessageSendResult>(a, "message:send", {
        conversationId: conv,
        clientMsgId: newClientMsgId(),
        body: "before",
      });
      expect(first).toMatchObject({ ok: true, data: { seq: 1 } });

      proxy.cut();
      const clientMsgId = newClientMsgId();
      const payload = { conversationId: conv, clientMsgId, body: "during the outage" };
      const failed = await request(a, "message:send", payload);
      expect(failed).toMatchObject({ ok: false, error: { code: "UNAVAILABLE" } });
      // Nothing stored (read through a node whose Cassandra is reachable).
      expect(
        (await healthy.deps.messages.page(conv, { limit: 10 })).messages.map((m) => m.body),
      ).toEqual(["before"]);
      const reserved = JSON.parse(
        (await node.deps.redis.get(
          redisKeys(env.REDIS_PREFIX).dedup(conv, alice.id, clientMsgId),
        ))!,
      ) as { seq: number; stored: boolean };
      expect(reserved).toMatchObject({ seq: 2, stored: false });

      await proxy.restore();
      const delivered = nextEvent<TMessage>(
        b,
        "message:new",
        (m) => m.body === "during the outage",
        20_000,
      );
      // The driver reconnects within about a second; the client retries until the store answers.
      let retry = await request<TMessageSendResult>(a, "message:send", payload);
      for (let i = 0; !retry.ok && i < 40; i++) {
        expect(retry).toMatchObject({ ok: false, error: { code: "UNAVAILABLE" } });
        await nextHealthy(node);
        retry = await request<TMessageSendResult>(a, "message:send", payload);
      }
      expect(retry).toMatchObject({ ok: true, data: { seq: reserved.seq } });
      expect((await delivered).seq).toBe(reserved.seq);
      const next = await request<TMessageSendResult>(a, "message:send", {
        conversationId: conv,
        clientMsgId: newClientMsgId(),
        body: "after",
      });
      expect(next).toMatchObject({ ok: true, data: { seq: reserved.seq + 1 } });
    } finally {
      a.close();
      b.close();
    }
  });
});

/** Resolves once the node reports Cassandra up (polls its health endpoint, the state we wait on). */
async function nextHealthy(node: TestNode) {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${node.url}/healthz`);
    if (res.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("node never became healthy");
}
