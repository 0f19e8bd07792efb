// Presence against real Redis and Postgres with several realtime nodes: two in
// this process plus child processes that are SIGKILLed or SIGTERMed. The
// nodes use short lease timings and a Redis prefix of their own, so this file
// can delete "all presence keys" without touching other test files.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TPresence } from "@relay/shared/schemas";
import { startTcpProxy } from "@relay/tooling/tcp-proxy";
import { presenceKeys } from "../src/services/presence-logic";
import {
  connectAs,
  createConversation,
  createUser,
  db,
  nextEvent,
  record,
  request,
  type TestUser,
} from "./fixtures";
import {
  env,
  startNode,
  startNodeProcess,
  type NodeProcess,
  type TestClient,
  type TestNode,
} from "./helpers";

const PREFIX = `relay:test:presence-${randomUUID().slice(0, 8)}:`;
const TIMINGS = { leaseTtlMs: 3_000, refreshMs: 1_000, reapMs: 1_000 };
const nodeEnv = {
  REDIS_PREFIX: PREFIX,
  PRESENCE_LEASE_TTL_MS: TIMINGS.leaseTtlMs,
  PRESENCE_LEASE_REFRESH_MS: TIMINGS.refreshMs,
  PRESENCE_REAP_INTERVAL_MS: TIMINGS.reapMs,
};
const processEnv = Object.fromEntries(Object.entries(nodeEnv).map(([k, v]) => [k, String(v)]));
/** Death → offline: lease TTL + one reaper period, plus slack for a loaded test machine. */
const OFFLINE_BOUND_MS = TIMINGS.leaseTtlMs + TIMINGS.reapMs + 2_000;
const keys = presenceKeys(PREFIX);

let nodes: TestNode[];
const open: TestClient[] = [];
const children: NodeProcess[] = [];

beforeAll(async () => {
  nodes = await Promise.all([startNode(nodeEnv), startNode(nodeEnv)]);
  await Promise.all(nodes.map((n) => n.app.presence.ready));
});
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await Promise.all(children.splice(0).map((c) => c.stop("SIGKILL")));
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  const redis = nodes[0]!.deps.redis.duplicate();
  try {
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(cursor, "MATCH", `${PREFIX}*`, "COUNT", 1000);
      cursor = next;
      if (found.length) await redis.del(...found);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
});

async function client(url: string, user: TestUser) {
  const c = await connectAs(url, user);
  open.push(c);
  return c;
}

async function child(extra: Record<string, string> = {}) {
  const p = await startNodeProcess({ ...processEnv, ...extra });
  children.push(p);
  return p;
}

type TWatchAck =
  { ok: true; data: TPresence[] } | { ok: false; error: { code: string; message: string } };

function watch(c: TestClient, userIds: string[]) {
  return request<TPresence[]>(c, "presence:watch", { userIds }) as Promise<TWatchAck>;
}

async function watchOk(c: TestClient, userIds: string[]) {
  const res = await watch(c, userIds);
  if (!res.ok) throw new Error(`watch failed: ${res.error.code} ${res.error.message}`);
  return res.data;
}

async function setStatus(c: TestClient, status: "online" | "away") {
  expect(await request(c, "presence:set", { status })).toEqual({ ok: true, data: null });
}

function presenceEvent(
  c: TestClient,
  userId: string,
  status: TPresence["status"],
  timeoutMs = 5_000,
) {
  return nextEvent<TPresence>(
    c,
    "presence",
    (p) => p.userId === userId && p.status === status,
    timeoutMs,
  );
}

/** Poll for state that has no event of its own (a Postgres column). */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lastSeenInPostgres = (userId: string) =>
  eventually(
    () => db.user.findUniqueOrThrow({ where: { id: userId }, select: { lastSeenAt: true } }),
    (u) => u.lastSeenAt !== null,
  ).then((u) => u.lastSeenAt!);

/**
 * A fixture conversation in which `talkers` participated (as if they had
 * written there): only participants may be watched (docs/presence.md; the
 * rule itself is tested in presence-revocation.integration.test.ts).
 */
async function conversation(type: "DIRECT" | "GROUP", members: TestUser[], talkers = members) {
  const id = await createConversation(type, members);
  await db.membership.updateMany({
    where: { conversationId: id, userId: { in: talkers.map((t) => t.id) } },
    data: { participatedAt: new Date() },
  });
  return id;
}

async function pair() {
  const [alice, bob] = await Promise.all([createUser(), createUser()]);
  await conversation("DIRECT", [alice, bob]);
  return { alice, bob };
}

describe("presence between two users on two nodes", () => {
  it("shows online → away → online → offline with lastSeenAt, and persists lastSeenAt", async () => {
    const { alice, bob } = await pair();
    const a = await client(nodes[0]!.url, alice);
    const seen = record<TPresence>(a, "presence");

    expect(await watchOk(a, [bob.id])).toEqual([
      { userId: bob.id, status: "offline", lastSeenAt: null },
    ]);

    const online = presenceEvent(a, bob.id, "online");
    const b = await client(nodes[1]!.url, bob);
    expect(await online).toEqual({ userId: bob.id, status: "online", lastSeenAt: null });

    // Bob watches Alice back, across the nodes the other way.
    expect(await watchOk(b, [alice.id])).toEqual([
      { userId: alice.id, status: "online", lastSeenAt: null },
    ]);

    const away = presenceEvent(a, bob.id, "away");
    await setStatus(b, "away");
    expect(await away).toEqual({ userId: bob.id, status: "away", lastSeenAt: null });
    expect(await watchOk(a, [bob.id])).toEqual([
      { userId: bob.id, status: "away", lastSeenAt: null },
    ]);

    const back = presenceEvent(a, bob.id, "online");
    await setStatus(b, "online");
    await back;

    const offline = presenceEvent(a, bob.id, "offline");
    const before = Date.now();
    b.close();
    const gone = await offline;
    const after = Date.now();
    const at = Date.parse(gone.lastSeenAt!);
    expect(at).toBeGreaterThanOrEqual(before - 5);
    expect(at).toBeLessThanOrEqual(after);

    expect(seen.filter((p) => p.userId === bob.id).map((p) => p.status)).toEqual([
      "online",
      "away",
      "online",
      "offline",
    ]);
    // A fresh snapshot agrees, and Postgres has the coarse copy.
    expect(await watchOk(a, [bob.id])).toEqual([gone]);
    expect((await lastSeenInPostgres(bob.id)).toISOString()).toBe(gone.lastSeenAt);
  });

  it("counts every device: online if any is online, away only when all are away", async () => {
    const { alice, bob } = await pair();
    const a = await client(nodes[0]!.url, alice);
    await watchOk(a, [bob.id]);
    const seen = record<TPresence>(a, "presence");

    const online = presenceEvent(a, bob.id, "online");
    const phone = await client(nodes[0]!.url, bob);
    await online;
    const laptop = await client(nodes[1]!.url, bob);

    await setStatus(phone, "away"); // laptop still online: no change
    const away = presenceEvent(a, bob.id, "away");
    await setStatus(laptop, "away");
    await away;

    const back = presenceEvent(a, bob.id, "online");
    await setStatus(phone, "online");
    await back;

    const awayAgain = presenceEvent(a, bob.id, "away");
    phone.close(); // the only online device goes: the away laptop remains
    await awayAgain;

    const offline = presenceEvent(a, bob.id, "offline");
    laptop.close();
    await offline;

    expect(seen.filter((p) => p.userId === bob.id).map((p) => p.status)).toEqual([
      "online",
      "away",
      "online",
      "away",
      "offline",
    ]);
  });

  it("stops sending events after presence:unwatch", async () => {
    const { alice, bob } = await pair();
    const a = await client(nodes[0]!.url, alice);
    const watcher2 = await client(nodes[0]!.url, alice);
    await Promise.all([watchOk(a, [bob.id]), watchOk(watcher2, [bob.id])]);
    const b = await client(nodes[1]!.url, bob);
    await presenceEvent(a, bob.id, "online");

    expect(await request(a, "presence:unwatch", { userIds: [bob.id] })).toEqual({
      ok: true,
      data: null,
    });
    const seen = record<TPresence>(a, "presence");
    const away = presenceEvent(watcher2, bob.id, "away");
    await setStatus(b, "away");
    await away; // delivered to the socket still watching, on the same node …
    await request(a, "presence:unwatch", { userIds: [bob.id] }); // … and a round trip later:
    expect(seen).toEqual([]);
  });
});

describe("presence:watch authorization", () => {
  it("leaves out users who share no conversation (unknown ids alike), watches the rest, and leaks no events", async () => {
    const { alice, bob } = await pair();
    const carol = await createUser();
    const c = await client(nodes[0]!.url, carol);
    const leaked = record<TPresence>(c, "presence");

    expect(await watchOk(c, [bob.id])).toEqual([]);
    expect(await watchOk(c, [randomUUID()])).toEqual([]);
    expect(await watchOk(c, [bob.id, carol.id])).toEqual([
      { userId: carol.id, status: "online", lastSeenAt: null },
    ]);
    await request(c, "presence:unwatch", { userIds: [carol.id] });

    // Alice (who shares a conversation) sees Bob come online; Carol, on the same node, does not.
    const a = await client(nodes[0]!.url, alice);
    await watchOk(a, [bob.id]);
    const online = presenceEvent(a, bob.id, "online");
    await client(nodes[1]!.url, bob);
    await online;
    await request(c, "presence:unwatch", { userIds: [bob.id] }); // a round trip on Carol's socket
    expect(leaked).toEqual([]);
  });

  it("allows yourself and conversation partners who participated; a deleted conversation no longer counts", async () => {
    const [alice, bob, dan, eve] = await Promise.all([
      createUser(),
      createUser(),
      createUser(),
      createUser(),
    ]);
    await conversation("GROUP", [alice, bob, eve], [alice, bob]); // Eve was only added
    const gone = await conversation("DIRECT", [alice, dan]);
    const a = await client(nodes[0]!.url, alice);
    expect(await watchOk(a, [alice.id, eve.id, bob.id, dan.id])).toEqual([
      { userId: alice.id, status: "online", lastSeenAt: null },
      { userId: bob.id, status: "offline", lastSeenAt: null },
      { userId: dan.id, status: "offline", lastSeenAt: null },
    ]);
    await db.conversation.update({ where: { id: gone }, data: { deletedAt: new Date() } });
    expect(await watchOk(a, [dan.id])).toEqual([]);
  });

  it("validates the payload: at most 200 ids, uuids only", async () => {
    const alice = await createUser();
    const a = await client(nodes[0]!.url, alice);
    const many = Array.from({ length: 201 }, () => randomUUID());
    expect(await watch(a, many)).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expect(await watch(a, ["not-a-uuid"])).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });
    expect(await request(a, "presence:set", { status: "offline" })).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });
  });
});

describe("presence when a node dies or stops", () => {
  it("SIGKILL: watchers on another node see offline within lease TTL + reap interval, with lastSeenAt; reconnecting elsewhere is online again", async () => {
    const { alice, bob } = await pair();
    const doomed = await child();
    const a = await client(nodes[0]!.url, alice);
    await watchOk(a, [bob.id]);
    const online = presenceEvent(a, bob.id, "online");
    await client(doomed.url, bob);
    await online;

    const offline = presenceEvent(a, bob.id, "offline", OFFLINE_BOUND_MS + 5_000);
    const killedAt = Date.now();
    expect(await doomed.stop("SIGKILL")).toMatchObject({ signal: "SIGKILL" });
    const event = await offline;
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThanOrEqual(OFFLINE_BOUND_MS);
    expect(tookMs).toBeLessThan(45_000);
    // lastSeenAt = the dead node's last lease renewal: before the kill, at most one refresh period.
    const at = Date.parse(event.lastSeenAt!);
    expect(at).toBeLessThanOrEqual(killedAt);
    expect(at).toBeGreaterThanOrEqual(killedAt - TIMINGS.refreshMs - 1_000);
    expect((await lastSeenInPostgres(bob.id)).toISOString()).toBe(event.lastSeenAt);
    // The dead instance is gone from Redis: every instance left has a live lease.
    const redis = nodes[0]!.deps.redis;
    await eventually(
      async () => {
        const instances = await redis.zrange(keys.instances, 0, -1);
        const leases = await Promise.all(instances.map((i) => redis.exists(keys.lease(i))));
        return { instances, leases };
      },
      ({ leases }) => leases.every((l) => l === 1),
    );

    const again = presenceEvent(a, bob.id, "online");
    await client(nodes[1]!.url, bob);
    await again;
  }, 40_000);

  it("SIGTERM: the node drains and watchers see offline at once, long before its lease would expire", async () => {
    const { alice, bob } = await pair();
    // Default (30 s) lease: only the drain can make Bob offline within seconds.
    const leaving = await child({
      PRESENCE_LEASE_TTL_MS: "30000",
      PRESENCE_LEASE_REFRESH_MS: "10000",
    });
    const a = await client(nodes[1]!.url, alice);
    await watchOk(a, [bob.id]);
    const online = presenceEvent(a, bob.id, "online");
    const b = await client(leaving.url, bob);
    await online;
    const dropped = new Promise<void>((resolve) => b.once("disconnect", () => resolve()));

    const offline = presenceEvent(a, bob.id, "offline", 3_000);
    const stoppedAt = Date.now();
    const exit = leaving.stop("SIGTERM");
    const event = await offline;
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(Date.parse(event.lastSeenAt!)).toBeGreaterThanOrEqual(stoppedAt - 5);
    await dropped;
    expect(await exit).toEqual({ code: 0, signal: null });
    expect((await lastSeenInPostgres(bob.id)).toISOString()).toBe(event.lastSeenAt);
  }, 30_000);
});

describe("presence when Redis loses its data", () => {
  it("rebuilds every node's registrations from live sockets after the presence keys are deleted", async () => {
    const { alice, bob } = await pair();
    const a = await client(nodes[0]!.url, alice);
    await watchOk(a, [bob.id]);
    const online = presenceEvent(a, bob.id, "online");
    const b = await client(nodes[1]!.url, bob);
    await online;
    const seen = record<TPresence>(a, "presence");
    const redis = nodes[0]!.deps.redis;
    const before = nodes.map((n) => n.app.presence.instanceId());
    // Listen first: a lease renewal may rebuild the keys as soon as they are gone.
    const republished = presenceEvent(a, bob.id, "online", TIMINGS.refreshMs * 2 + 2_000);

    // What FLUSHALL / a restart without persistence does to this node set.
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(cursor, "MATCH", `${PREFIX}*`, "COUNT", 1000);
      cursor = next;
      if (found.length) await redis.del(...found);
    } while (cursor !== "0");

    // The next lease renewal finds the lease gone and re-registers every
    // socket: Bob's status is published again (he never went offline).
    await republished;
    expect(nodes.map((n) => n.app.presence.instanceId())).not.toEqual(before);
    expect(await watchOk(a, [bob.id])).toEqual([
      { userId: bob.id, status: "online", lastSeenAt: null },
    ]);

    // The rebuilt registration is live: changes and the disconnect still work.
    const away = presenceEvent(a, bob.id, "away");
    await setStatus(b, "away");
    await away;
    const offline = presenceEvent(a, bob.id, "offline");
    b.close();
    await offline;
    expect(seen.map((p) => p.status)).toEqual(["online", "away", "offline"]);
  }, 30_000);
});

describe("presence when a node's Redis connection drops", () => {
  it("re-sends watched users' status after the event channel reconnects", async () => {
    const { alice, bob } = await pair();
    const redisUrl = new URL(env.REDIS_URL);
    const proxy = await startTcpProxy({
      host: redisUrl.hostname,
      port: Number(redisUrl.port || 6379),
    });
    redisUrl.port = String(proxy.port);
    const flaky = await startNode({ ...nodeEnv, REDIS_URL: redisUrl.toString() });
    try {
      await flaky.app.presence.ready;
      const a = await client(flaky.url, alice);
      await watchOk(a, [bob.id]);
      const online = presenceEvent(a, bob.id, "online");
      const b = await client(nodes[0]!.url, bob);
      await online;

      // While the watcher's node is cut off from Redis, Bob goes away: the
      // event is published while that node is not listening.
      const seen = record<TPresence>(a, "presence");
      proxy.cut();
      await setStatus(b, "away");
      expect(seen).toEqual([]);
      const away = presenceEvent(a, bob.id, "away");
      await proxy.restore();
      await away;
    } finally {
      await flaky.close();
      await proxy.close();
    }
  });
});
