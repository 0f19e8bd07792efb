// Issue 12, fault 3: cross-node fan-out lost while a node's link to Redis is
// down. What other nodes publish meanwhile never reaches that node's sockets;
// when the link is back, the node tells its clients `sync:required` (and,
// for what it could not publish, every node's clients), and their catch-up
// finds the message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  TMessage,
  TMessageHistoryResult,
  TMessageSendResult,
  TSyncResult,
} from "@relay/shared/schemas";
import { startTcpProxy, type TcpProxy } from "@relay/tooling/tcp-proxy";
import {
  connectAs,
  createConversation,
  createUser,
  newClientMsgId,
  nextEvent,
  record,
  request,
} from "./fixtures";
import { env, startNode, type TestNode } from "./helpers";

describe("a node whose link to Redis dropped", () => {
  let proxy: TcpProxy;
  let steady: TestNode;
  let flaky: TestNode;
  beforeAll(async () => {
    const redisUrl = new URL(env.REDIS_URL);
    proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    redisUrl.port = String(proxy.port);
    [steady, flaky] = await Promise.all([
      startNode(),
      startNode({ REDIS_URL: redisUrl.toString() }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([steady.close(), flaky.close()]);
    await proxy.close();
  });

  it("tells its clients sync:required when the link is back, and the catch-up finds what was missed", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await connectAs(steady.url, alice);
    const b = await connectAs(flaky.url, bob);
    try {
      // Both links work: a message reaches Bob live.
      const live = nextEvent<TMessage>(b, "message:new");
      await request(a, "message:send", {
        conversationId: conv,
        clientMsgId: newClientMsgId(),
        body: "before",
      });
      expect((await live).body).toBe("before");

      const bobSaw = record<TMessage>(b, "message:new");
      proxy.cut();
      const missed = await request<TMessageSendResult>(a, "message:send", {
        conversationId: conv,
        clientMsgId: newClientMsgId(),
        body: "while the link was down",
      });
      expect(missed.ok).toBe(true);
      const bobResync = nextEvent(b, "sync:required", () => true, 10_000);
      // The publisher side too: Alice's node hears Bob's node ask everyone to resync.
      const aliceResync = nextEvent(a, "sync:required", () => true, 10_000);
      await proxy.restore();
      expect(await bobResync).toEqual({ reason: "link_lost" });
      expect(await aliceResync).toEqual({ reason: "link_lost" });
      // The resync is the later event: had the message been delivered live, it would be here by now.
      expect(bobSaw.map((m) => m.body)).toEqual([]);

      // Bob's catch-up, as docs/protocol.md describes it.
      const sync = await request<TSyncResult>(b, "sync", { conversations: { [conv]: 1 } });
      if (!sync.ok || !missed.ok) throw new Error("sync failed");
      expect(sync.data[conv]?.lastSeq).toBe(missed.data.seq);
      const history = await request<TMessageHistoryResult>(b, "message:history", {
        conversationId: conv,
        afterSeq: 1,
      });
      expect(history.ok && history.data.messages.map((m) => m.body)).toEqual([
        "while the link was down",
      ]);

      // And live delivery works again.
      const after = nextEvent<TMessage>(b, "message:new");
      await request(a, "message:send", {
        conversationId: conv,
        clientMsgId: newClientMsgId(),
        body: "after",
      });
      expect((await after).body).toBe("after");
    } finally {
      a.close();
      b.close();
    }
  }, 30_000);
});
