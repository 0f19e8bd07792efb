// The Redis adapter's links to the other nodes, watched.
//
// Socket.IO's Redis adapter has no replay: whatever other nodes publish while
// this node's subscriber connection is down (a Redis restart or failover, a
// network cut) never reaches this node's sockets, and whatever this node
// publishes while its publisher is down never reaches the others'. The
// messages are stored (ack means stored), so the fix is the catch-up clients
// already know: when a link comes back, tell the affected clients
// `sync:required` and they run sync + history as after a reconnect.
//
// - subscriber back: this node's own sockets may have missed events → local;
// - publisher back: the other nodes' sockets may have missed this node's
//   events → every node (their subscribers are up, or they resync anyway).
//
// "Back" means usable again: ioredis emits `ready` before it re-subscribes, so
// the subscriber waits for a PING sent after its re-subscriptions (one
// connection, answered in order) before anyone is told to resync — a resync
// that ran before the subscription could miss what is published in between.
import type { Redis } from "ioredis";
import type { Logger } from "@relay/core";

export interface AdapterLinkEvents {
  /** This node's subscriber is back: its local sockets must resync. */
  onSubscriberRestored(): void;
  /** This node's publisher is back: every node's sockets must resync. */
  onPublisherRestored(): void;
}

function watch(client: Redis, name: string, logger: Logger, restored: () => void): void {
  let everReady = client.status === "ready";
  let lost = false;
  client.on("ready", () => {
    if (!everReady) {
      everReady = true;
      return;
    }
    if (!lost) return;
    lost = false;
    // After the re-subscribe commands ioredis queues right after `ready`.
    setImmediate(() => {
      client.ping().then(
        () => {
          logger.warn({ link: name }, "adapter link restored: clients told to resync");
          restored();
        },
        (err: unknown) => {
          lost = true; // dropped again: the next `ready` retries
          logger.warn({ err, link: name }, "adapter link dropped again while restoring");
        },
      );
    });
  });
  client.on("close", () => {
    if (everReady && !lost) {
      lost = true;
      logger.warn({ link: name }, "adapter link lost: live events may be missed until it is back");
    }
  });
}

export function watchAdapterLinks(
  links: { pub: Redis; sub: Redis },
  logger: Logger,
  events: AdapterLinkEvents,
): void {
  watch(links.sub, "subscriber", logger, () => events.onSubscriberRestored());
  watch(links.pub, "publisher", logger, () => events.onPublisherRestored());
}
