// REALTIME_ADAPTER=sharded: the Socket.IO Redis adapter over Redis 7 sharded
// pub/sub (SPUBLISH/SSUBSCRIBE). Two sharded nodes deliver to each other's
// sockets; what web, admin and push publish through the classic-protocol
// emitter (packages/core/src/events/emitter.ts) still reaches sharded nodes'
// sockets, through services/emitter-bridge.ts — which a bare sharded adapter
// would never hear; and a dropped Redis link ends in sync:required as with
// the classic adapter (services/adapter-link.ts).
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presenceRoom, redisKeys } from "@relay/core";
import type {
  TMessage,
  TSessionRevokedEvent,
  TSyncRequiredEvent,
  TTypingEvent,
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

/** A Redis prefix of this file's own: no other test's nodes share its adapter channels. */
const ownPrefix = () => `sharded-${randomUUID().slice(0, 8)}:`;

const send = (client: Parameters<typeof request>[0], conversationId: string, body: string) =>
  request(client, "message:send", { conversationId, clientMsgId: newClientMsgId(), body });

describe("two nodes with REALTIME_ADAPTER=sharded", () => {
  const prefix = ownPrefix();
  const adapterKey = redisKeys(prefix).adapter();
  let one: TestNode;
  let two: TestNode;
  beforeAll(async () => {
    [one, two] = await Promise.all([
      startNode({ REALTIME_ADAPTER: "sharded", REDIS_PREFIX: prefix }),
      startNode({ REALTIME_ADAPTER: "sharded", REDIS_PREFIX: prefix }),
    ]);
  });
  afterAll(() => Promise.all([one?.close(), two?.close()]));

  it("deliver messages (multi-room emits) and typing (a single room's shard channel) across nodes", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const dm = await createConversation("DIRECT", [alice, bob]);
    const a = await connectAs(one.url, alice);
    const b = await connectAs(two.url, bob);
    try {
      const toBob = nextEvent<TMessage>(b, "message:new", (m) => m.body === "hello bob");
      expect((await send(a, dm, "hello bob")).ok).toBe(true);
      expect((await toBob).senderId).toBe(alice.id);
      const toAlice = nextEvent<TMessage>(a, "message:new", (m) => m.body === "hello alice");
      expect((await send(b, dm, "hello alice")).ok).toBe(true);
      expect((await toAlice).senderId).toBe(bob.id);

      // Typing in a DM goes to Bob's room only: the adapter publishes it on
      // that room's own shard channel, which only node two subscribes to.
      const typing = nextEvent<TTypingEvent>(b, "typing", (e) => e.conversationId === dm);
      a.emit("typing:start", { conversationId: dm });
      expect((await typing).userId).toBe(alice.id);

      const channels = (await one.deps.redis.call(
        "PUBSUB",
        "SHARDCHANNELS",
        `${adapterKey}#*`,
      )) as string[];
      expect(channels).toEqual(
        expect.arrayContaining([`${adapterKey}#/#`, `${adapterKey}#/#user:${bob.id}#`]),
      );
    } finally {
      a.close();
      b.close();
    }
  });

  it("still receive what the classic emitter (web, admin, push) publishes: events, disconnects, room leaves", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const b = await connectAs(two.url, bob);
    try {
      // one.deps.events is the @socket.io/redis-emitter that web and admin use.
      const emitter = one.deps.events;
      const resync = nextEvent<TSyncRequiredEvent>(b, "sync:required");
      emitter.toUsers([bob.id], "sync:required", { reason: "link_lost" });
      expect(await resync).toEqual({ reason: "link_lost" });

      // socketsLeave (a request on the classic request channel).
      const room = presenceRoom(alice.id);
      const nsp = two.app.io.of("/");
      await nsp.sockets.get(b.id!)!.join(room);
      const left = once(nsp.adapter, "leave-room");
      emitter.leaveRooms([bob.id], [room]);
      expect(await left).toEqual([room, b.id]);

      // disconnectSockets: the event first, then the disconnect.
      const revoked = nextEvent<TSessionRevokedEvent>(b, "session:revoked");
      const dropped = new Promise<string>((resolve) => b.once("disconnect", resolve));
      emitter.disconnectUser(bob.id, "banned");
      expect(await revoked).toEqual({ reason: "banned" });
      expect(await dropped).toBe("io server disconnect");
    } finally {
      b.close();
    }
  });
});

describe("why sharded nodes need the bridge", () => {
  it("a bare sharded adapter hears nothing the classic emitter publishes: PUBLISH never reaches an SSUBSCRIBE", async () => {
    const key = redisKeys(ownPrefix()).adapter();
    const pub = new Redis(env.REDIS_URL);
    const sub = new Redis(env.REDIS_URL);
    const io = new Server({ adapter: createShardedAdapter(pub, sub, { channelPrefix: key }) });
    try {
      // Answered after the adapter's SSUBSCRIBEs, sent first on the same connection.
      await sub.ping();
      // What the emitter sends for an emit to every socket: PUBLISH on <key>#/#. Nobody gets it…
      expect(await pub.publish(`${key}#/#`, "x")).toBe(0);
      // …while that channel name in the shard namespace has the adapter on it.
      expect(await pub.call("SPUBLISH", `${key}#/#`, "x")).toBe(1);
    } finally {
      await io.of("/").adapter.close();
      pub.disconnect();
      sub.disconnect();
    }
  });
});

describe("a sharded node whose link to Redis dropped", () => {
  let proxy: TcpProxy;
  let steady: TestNode;
  let flaky: TestNode;
  beforeAll(async () => {
    const prefix = ownPrefix();
    const redisUrl = new URL(env.REDIS_URL);
    proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    redisUrl.port = String(proxy.port);
    [steady, flaky] = await Promise.all([
      startNode({ REALTIME_ADAPTER: "sharded", REDIS_PREFIX: prefix }),
      startNode({
        REALTIME_ADAPTER: "sharded",
        REDIS_PREFIX: prefix,
        REDIS_URL: redisUrl.toString(),
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([steady?.close(), flaky?.close()]);
    await proxy?.close();
  });

  it("tells the clients of both nodes sync:required when it is back, and live delivery resumes", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const dm = await createConversation("DIRECT", [alice, bob]);
    const a = await connectAs(steady.url, alice);
    const b = await connectAs(flaky.url, bob);
    try {
      const live = nextEvent<TMessage>(b, "message:new", (m) => m.body === "before");
      await send(a, dm, "before");
      await live;

      const bobSaw = record<TMessage>(b, "message:new");
      proxy.cut();
      expect((await send(a, dm, "while the link was down")).ok).toBe(true);
      const bobResync = nextEvent(b, "sync:required", () => true, 10_000);
      const aliceResync = nextEvent(a, "sync:required", () => true, 10_000);
      await proxy.restore();
      expect(await bobResync).toEqual({ reason: "link_lost" });
      expect(await aliceResync).toEqual({ reason: "link_lost" });
      expect(bobSaw.map((m) => m.body)).toEqual([]);

      // Bob's room channel was re-subscribed with the others: single-room
      // and multi-room emits reach him again.
      const typing = nextEvent<TTypingEvent>(b, "typing", (e) => e.conversationId === dm);
      a.emit("typing:start", { conversationId: dm });
      await typing;
      const after = nextEvent<TMessage>(b, "message:new", (m) => m.body === "after");
      await send(a, dm, "after");
      expect((await after).senderId).toBe(alice.id);
    } finally {
      a.close();
      b.close();
    }
  }, 30_000);
});
