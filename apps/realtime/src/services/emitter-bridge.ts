// What web, admin and the push worker publish, heard by a node that runs the
// sharded adapter (REALTIME_ADAPTER=sharded).
//
// Those processes emit through `@socket.io/redis-emitter`
// (packages/core/src/events/emitter.ts), which speaks the classic Redis
// adapter's protocol only: PUBLISH on `<key>#/#` or `<key>#/#<room>#`
// (msgpack `[uid, packet, opts]`) and JSON requests on `<key>-request#/#`
// (`disconnectSockets`, `socketsLeave`). The sharded adapter hears neither:
// it listens with SSUBSCRIBE, and shard channels are a namespace of their own
// in Redis (a PUBLISH never reaches an SSUBSCRIBE, whatever the channel's
// name), and it speaks socket.io-adapter's cluster message format. Without
// this bridge a sharded node would miss every REST send, moderation kick and
// session revocation made outside the realtime nodes
// (test/sharded-adapter.integration.test.ts shows both).
//
// So a sharded node also runs a receive-only classic adapter on the same
// namespace, over the same rooms: the classic adapter's own code decodes the
// emitter's messages and requests and applies them to this node's sockets.
// It shares the adapter's subscriber connection (a connection in subscriber
// mode may hold SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE subscriptions at once,
// and ioredis restores all three after a reconnect, before the PING that
// services/adapter-link.ts waits for), so the link watch covers it too.
//
// It never publishes broadcasts: the node's own emits go through the sharded
// adapter. Classic-adapter nodes publish in the same format as the emitter,
// so during a switch from classic to sharded, classic nodes still reach
// sharded nodes' sockets, but not the other way round (docs/operations.md).
import { RedisAdapter } from "@socket.io/redis-adapter";
import type { Redis } from "ioredis";
import type { Namespace } from "socket.io";

/** Start listening; returns the function that stops it (before the namespace's adapter closes). */
export function listenToClassicEmitters(
  nsp: Namespace,
  links: { pub: Redis; sub: Redis },
  key: string,
): () => void {
  const classic = new RedisAdapter(nsp, links.pub, links.sub, { key });
  // The namespace's adapter tracks which socket is in which room: share its
  // maps (the objects, not copies), so a broadcast or request the classic
  // adapter applies reaches exactly the sockets the sharded adapter knows.
  classic.rooms = nsp.adapter.rooms;
  classic.sids = nsp.adapter.sids;
  return () => void classic.close();
}
