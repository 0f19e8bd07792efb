// Three realtime nodes behind nginx, with the configuration `npm start` uses
// for REALTIME_NODES=3 (tooling/nginx.mjs): connections spread over the
// nodes without stickiness, messages cross between users on different
// nodes, a reload changes the nodes without a restart, a client whose node
// dies or drains comes back through nginx on another one, and the per-IP
// handshake limit sees the client's address from X-Forwarded-For when (and
// only when) nginx is a trusted proxy. nginx must be installed (`npm test`
// installs it); without it these tests fail with NginxMissingError's message.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TMessage, TTypingEvent } from "@relay/shared/schemas";
import {
  createConversation,
  createUser,
  newClientMsgId,
  nextEvent,
  request,
  type TestUser,
} from "./fixtures";
import {
  connectClient,
  startNginx,
  startNode,
  startNodeProcess,
  type NodeProcess,
  type TestClient,
  type TestNginx,
  type TestNode,
} from "./helpers";

/** The in-process node holding `client`'s socket (Socket.IO ids are the same on both ends). */
function nodeOf(nodes: readonly TestNode[], client: TestClient): TestNode | undefined {
  return nodes.find((n) => client.id !== undefined && n.app.io.of("/").sockets.has(client.id));
}

/** Which of `nodes` holds `client`'s socket: its index, or -1 (compared as numbers, not node objects). */
const indexOf = (nodes: readonly TestNode[], client: TestClient): number => {
  const node = nodeOf(nodes, client);
  return node ? nodes.indexOf(node) : -1;
};

/** A connection through nginx that lands on a node for which `wanted` holds (round robin: a few tries). */
async function connectLanding(
  url: string,
  user: TestUser,
  wanted: (client: TestClient) => boolean,
  opts: { reconnect?: boolean } = {},
): Promise<TestClient> {
  for (let i = 0; i < 6; i++) {
    const client = await connectClient(url, { token: user.token }, opts);
    if (wanted(client)) return client;
    client.close();
  }
  throw new Error("round robin never reached the wanted node in 6 connections");
}

const send = (client: TestClient, conversationId: string, body: string) =>
  request(client, "message:send", { conversationId, clientMsgId: newClientMsgId(), body });

describe("three realtime nodes behind nginx", () => {
  let nodes: TestNode[];
  let lb: TestNginx;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    nodes = await Promise.all([startNode(), startNode(), startNode()]);
    lb = await startNginx(nodes.map((n) => n.url));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await lb?.close();
    await Promise.all(nodes.map((n) => n.close()));
  });

  it("spreads connections over every node (round robin, no stickiness) and delivers across them", async () => {
    const [alice, bob, carol] = await Promise.all([createUser(), createUser(), createUser()]);
    const group = await createConversation("GROUP", [alice, bob, carol]);
    const [a, b, c] = [
      await connectClient(lb.url, { token: alice.token }),
      await connectClient(lb.url, { token: bob.token }),
      await connectClient(lb.url, { token: carol.token }),
    ];
    clients.push(a, b, c);
    // One worker, nothing else on this nginx: three connections, three nodes.
    expect([a, b, c].map((s) => indexOf(nodes, s)).sort()).toEqual([0, 1, 2]);

    const toBob = nextEvent<TMessage>(b, "message:new", (m) => m.body === "from alice");
    const toCarol = nextEvent<TMessage>(c, "message:new", (m) => m.body === "from alice");
    expect((await send(a, group, "from alice")).ok).toBe(true);
    expect((await toBob).senderId).toBe(alice.id);
    expect((await toCarol).senderId).toBe(alice.id);

    const back = nextEvent<TMessage>(a, "message:new", (m) => m.body === "from carol");
    expect((await send(c, group, "from carol")).ok).toBe(true);
    expect((await back).senderId).toBe(carol.id);
  });

  it("a single-room emit (typing in a DM) crosses nodes through nginx too", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const dm = await createConversation("DIRECT", [alice, bob]);
    const a = await connectClient(lb.url, { token: alice.token });
    const b = await connectLanding(lb.url, bob, (s) => indexOf(nodes, s) !== indexOf(nodes, a));
    clients.push(a, b);
    const typing = nextEvent<TTypingEvent>(b, "typing", (e) => e.conversationId === dm);
    a.emit("typing:start", { conversationId: dm });
    expect((await typing).userId).toBe(alice.id);
  });

  it("reload: a node taken out gets no new connections, put back it gets them again", async () => {
    const user = await createUser();
    await lb.reload([nodes[0]!.url, nodes[1]!.url]);
    const without = [];
    for (let i = 0; i < 4; i++) without.push(await connectClient(lb.url, { token: user.token }));
    expect(without.map((s) => indexOf(nodes, s)).sort()).toEqual([0, 0, 1, 1]);
    for (const s of without) s.close();

    await lb.reload(nodes.map((n) => n.url));
    const back = await connectLanding(lb.url, user, (s) => indexOf(nodes, s) === 2);
    expect(indexOf(nodes, back)).toBe(2);
    back.close();
  });
});

describe("a node that goes away behind nginx", () => {
  let a: TestNode;
  let b: TestNode;
  let bClosed = false;
  let c: NodeProcess;
  /** a, b and the child-process node c. */
  let lb: TestNginx;
  /** a and b only. */
  let lbAB: TestNginx;
  beforeAll(async () => {
    [a, b, c] = await Promise.all([startNode(), startNode(), startNodeProcess()]);
    [lb, lbAB] = await Promise.all([startNginx([a.url, b.url, c.url]), startNginx([a.url, b.url])]);
  });
  afterAll(async () => {
    await Promise.all([lb?.close(), lbAB?.close()]);
    await c?.stop("SIGKILL");
    await Promise.all([a?.close(), bClosed ? undefined : b?.close()]);
  });

  it("crashed (SIGKILL): its client reconnects by itself through nginx to a live node and gets live messages", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const dm = await createConversation("DIRECT", [alice, bob]);
    const alices = await connectLanding(lb.url, alice, (s) => indexOf([a], s) === 0);
    // Bob on the child-process node: on neither in-process node.
    const bobs = await connectLanding(lb.url, bob, (s) => indexOf([a, b], s) === -1, {
      reconnect: true,
    });
    try {
      const before = nextEvent<TMessage>(bobs, "message:new", (m) => m.body === "before");
      expect((await send(alices, dm, "before")).ok).toBe(true);
      await before;

      const dropped = new Promise<string>((resolve) => bobs.once("disconnect", resolve));
      // "connect" (the namespace handshake done), not the manager's earlier "reconnect".
      const reconnected = dropped.then(
        () => new Promise<void>((resolve) => bobs.once("connect", () => resolve())),
      );
      await c.stop("SIGKILL");
      expect(await dropped).toBe("transport close");
      await reconnected;
      // nginx skipped the dead node: Bob is on a live one.
      expect(indexOf([a, b], bobs)).not.toBe(-1);

      const after = nextEvent<TMessage>(bobs, "message:new", (m) => m.body === "after");
      expect((await send(alices, dm, "after")).ok).toBe(true);
      expect((await after).senderId).toBe(alice.id);
    } finally {
      alices.close();
      bobs.close();
    }
  }, 30_000);

  it("drained (graceful stop, as on SIGTERM): its client reconnects by itself through nginx to a live node", async () => {
    const user = await createUser();
    const onB = await connectLanding(lbAB.url, user, (s) => indexOf([a, b], s) === 1, {
      reconnect: true,
    });
    try {
      // The drain closes the connection rather than sending a Socket.IO
      // disconnect ("io server disconnect", after which a client would have
      // to reconnect by hand): the client retries on its own.
      const dropped = new Promise<string>((resolve) => onB.once("disconnect", resolve));
      const reconnected = dropped.then(
        () => new Promise<void>((resolve) => onB.once("connect", () => resolve())),
      );
      bClosed = true;
      await b.close();
      expect(await dropped).toBe("transport close");
      await reconnected;
      expect(indexOf([a, b], onB)).toBe(0);
    } finally {
      onB.close();
    }
  }, 30_000);
});

describe("the client's address through nginx (per-IP handshake limit)", () => {
  // Loopback addresses other than 127.0.0.1 are other clients; nginx reaches
  // the nodes from 127.0.0.1, the proxy they trust (or not).
  const LIMIT = 3;
  let trusting: TestNode[];
  let untrusting: TestNode;
  let lb: TestNginx;
  let lbUntrusted: TestNginx;
  let lbAppend: TestNginx;

  /** "ok" (with the node it landed on) or the connect_error's code. */
  async function handshake(
    url: string,
    user: TestUser,
    opts: { localAddress?: string; forwardedFor?: string } = {},
  ): Promise<{ result: string; node?: TestNode }> {
    try {
      const socket = await connectClient(
        url,
        { token: user.token },
        {
          ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
          ...(opts.forwardedFor ? { headers: { "x-forwarded-for": opts.forwardedFor } } : {}),
        },
      );
      const node = nodeOf([...trusting, untrusting], socket);
      socket.close();
      return { result: "ok", ...(node ? { node } : {}) };
    } catch (err) {
      const code = (err as { data?: { error?: { code?: string } } }).data?.error?.code;
      return { result: code ?? String(err) };
    }
  }

  beforeAll(async () => {
    // Own Redis prefixes: own counters. The two trusting nodes share one, so
    // the limit is counted across them.
    const shared = `lb-${randomUUID().slice(0, 8)}:`;
    [trusting, untrusting] = await Promise.all([
      Promise.all([
        startNode({
          REALTIME_HANDSHAKE_LIMIT: LIMIT,
          REDIS_PREFIX: shared,
          TRUSTED_PROXIES: ["127.0.0.1/32"],
        }),
        startNode({
          REALTIME_HANDSHAKE_LIMIT: LIMIT,
          REDIS_PREFIX: shared,
          TRUSTED_PROXIES: ["127.0.0.1/32"],
        }),
      ]),
      startNode({
        REALTIME_HANDSHAKE_LIMIT: LIMIT,
        REDIS_PREFIX: `lb-${randomUUID().slice(0, 8)}:`,
      }),
    ]);
    [lb, lbUntrusted, lbAppend] = await Promise.all([
      startNginx(trusting.map((n) => n.url)),
      startNginx([untrusting.url]),
      startNginx(
        trusting.map((n) => n.url),
        { forwardedFor: "append" },
      ),
    ]);
    // The limiter answers from memory until its Redis connection is up.
    await Promise.all([...trusting, untrusting].map((n) => n.deps.redis.ping()));
  });
  afterAll(async () => {
    await Promise.all([lb, lbUntrusted, lbAppend].map((p) => p?.close()));
    await Promise.all([...trusting, untrusting].map((n) => n?.close()));
  });

  it("trusted: each client is counted by its own address, across nodes", async () => {
    const user = await createUser();
    const spoofed = [];
    for (let i = 0; i < LIMIT + 1; i++)
      spoofed.push(
        await handshake(lb.url, user, {
          localAddress: "127.0.0.2",
          forwardedFor: `203.0.113.${i + 1}`,
        }),
      );
    expect(spoofed.map((h) => h.result)).toEqual([
      ...Array<string>(LIMIT).fill("ok"),
      "RATE_LIMITED",
    ]);
    // Round robin put the accepted ones on both nodes: one budget for all nodes.
    expect(new Set(spoofed.map((h) => h.node).filter(Boolean)).size).toBe(2);
    // Another client behind the same nginx has a budget of its own.
    expect((await handshake(lb.url, user, { localAddress: "127.0.0.3" })).result).toBe("ok");
  });

  it("what a client claims in X-Forwarded-For is replaced, even from an address the nodes trust", async () => {
    // From 127.0.0.1 (a trusted address): had nginx appended to the claimed
    // header, each rotated value would be a new client with a fresh budget.
    const user = await createUser();
    const results = [];
    for (let i = 0; i < LIMIT + 1; i++)
      results.push(
        (
          await handshake(lb.url, user, {
            localAddress: "127.0.0.1",
            forwardedFor: `203.0.113.${i + 1}`,
          })
        ).result,
      );
    expect(results).toEqual([...Array<string>(LIMIT).fill("ok"), "RATE_LIMITED"]);
  });

  it("not trusted: every client behind nginx shares nginx's address and its budget", async () => {
    const user = await createUser();
    const results = [];
    for (let i = 0; i < LIMIT + 1; i++)
      results.push(
        (await handshake(lbUntrusted.url, user, { localAddress: `127.0.0.${10 + i}` })).result,
      );
    expect(results).toEqual([...Array<string>(LIMIT).fill("ok"), "RATE_LIMITED"]);
  });

  it("append mode (a trusted load balancer in front of nginx): the client is the address that balancer named", async () => {
    const user = await createUser();
    const named = [];
    for (let i = 0; i < LIMIT + 1; i++)
      named.push((await handshake(lbAppend.url, user, { forwardedFor: "198.51.100.20" })).result);
    expect(named).toEqual([...Array<string>(LIMIT).fill("ok"), "RATE_LIMITED"]);
    expect((await handshake(lbAppend.url, user, { forwardedFor: "198.51.100.21" })).result).toBe(
      "ok",
    );
  });
});
