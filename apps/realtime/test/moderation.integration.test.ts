// Moderation reaching every node: an admin action taken in another process
// (through the Redis emitter, as the admin console does) ends the user's
// sockets on every node within 2 s, refuses new handshakes with the still-valid
// token on any node, and refuses every further event even on a socket the
// disconnect did not reach; unbanning restores access to fresh sessions.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  banUser,
  createLogger,
  createStores,
  liftSanction,
  publishDenyEntry,
  type Stores,
  type TModerationContext,
} from "@relay/core";
import type { TMessageSendResult, TSessionRevokedEvent } from "@relay/shared/schemas";
import {
  connectAs,
  createConversation,
  createUser,
  newClientMsgId,
  request,
  type TestUser,
} from "./fixtures";
import {
  connectClient,
  env,
  signTestToken,
  startNode,
  type TestClient,
  type TestNode,
} from "./helpers";

let nodes: TestNode[];
/** The admin console's side: its own store connections and emitter-backed events. */
let adminSide: Stores;
const open: TestClient[] = [];

beforeAll(async () => {
  nodes = await Promise.all([startNode(), startNode(), startNode()]);
  await Promise.all(nodes.map((n) => n.app.deny.ready));
  adminSide = createStores(env, { logger: createLogger({ app: "admin-test", level: "error" }) });
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await adminSide.close();
});

async function client(node: number, user: TestUser) {
  const c = await connectAs(nodes[node]!.url, user);
  open.push(c);
  return c;
}

const asAdmin = (admin: TestUser): TModerationContext => ({
  actor: { userId: admin.id, role: "ADMIN" },
});

function revokedAndGone(c: TestClient): Promise<{ event: TSessionRevokedEvent; at: number }> {
  return new Promise((resolve, reject) => {
    let event: TSessionRevokedEvent | null = null;
    const timer = setTimeout(() => reject(new Error("socket was not ended")), 5_000);
    c.once("session:revoked", (e) => (event = e));
    c.once("disconnect", (why) => {
      clearTimeout(timer);
      if (!event) return reject(new Error(`disconnected (${why}) without session:revoked`));
      resolve({ event, at: performance.now() });
    });
  });
}

function handshakeError(url: string, token: string): Promise<unknown> {
  return connectClient(url, { token }).then(
    (c) => {
      c.close();
      return null;
    },
    (err: Error & { data?: unknown }) => err.data,
  );
}

describe("a ban from another process", () => {
  it("ends the user's sockets on every node within 2 s and refuses the same token everywhere", async () => {
    const [admin, target, bystander] = await Promise.all([
      createUser("ADMIN"),
      createUser(),
      createUser(),
    ]);
    const conv = await createConversation("DIRECT", [target, bystander]);
    const [onA, onB] = [await client(1, target), await client(2, target)];
    const other = await client(0, bystander);
    const ends = [revokedAndGone(onA), revokedAndGone(onB)];

    const t0 = performance.now();
    await banUser(adminSide, asAdmin(admin), { userId: target.id, reason: "spam" });
    const ended = await Promise.all(ends);
    for (const e of ended) {
      expect(e.event).toEqual({ reason: "banned" });
      expect(e.at - t0).toBeLessThan(2_000);
    }

    // The still-valid JWT, and a brand-new one, are refused at every node's handshake.
    const fresh = await signTestToken(target.id);
    for (const node of nodes) {
      for (const token of [target.token, fresh])
        expect(await handshakeError(node.url, token)).toMatchObject({
          ok: false,
          error: { code: "UNAUTHORIZED", message: "session revoked (banned)" },
        });
    }
    // Everyone else carries on.
    const sent = await request<TMessageSendResult>(other, "message:send", {
      conversationId: conv,
      clientMsgId: newClientMsgId(),
      body: "still here",
    });
    expect(sent.ok).toBe(true);
  });

  it("refuses every further event on a socket the disconnect never reached", async () => {
    const target = await createUser();
    const conv = await createConversation("DIRECT", [target, await createUser()]);
    const c = await client(1, target);
    // Only the deny-list moves (as if the disconnect broadcast had been lost).
    const revokedAtMs = Date.now() + 1;
    await publishDenyEntry(adminSide, target.id, {
      userId: target.id,
      reason: "suspended",
      revokedAtMs,
      allUntilMs: revokedAtMs + 60_000,
      expiresAtMs: revokedAtMs + 60_000,
    });
    await expect.poll(() => nodes[1]!.app.deny.check({ userId: target.id })).toBe("suspended");
    const ended = revokedAndGone(c);
    const refused = await request(c, "message:send", {
      conversationId: conv,
      clientMsgId: newClientMsgId(),
      body: "after the suspension",
    });
    expect(refused).toEqual({
      ok: false,
      error: { code: "UNAUTHORIZED", message: "session revoked (suspended)" },
    });
    expect((await ended).event).toEqual({ reason: "suspended" });
    expect((await nodes[1]!.deps.messages.page(conv, { limit: 5 })).messages).toEqual([]);
    await publishDenyEntry(adminSide, target.id, null);
  });

  it("after an unban, a fresh session connects while the old token stays refused", async () => {
    const [admin, target] = await Promise.all([createUser("ADMIN"), createUser()]);
    await banUser(adminSide, asAdmin(admin), { userId: target.id, reason: "mistake" });
    await liftSanction(adminSide, asAdmin(admin), { userId: target.id, reason: "appeal" });
    const fresh = await signTestToken(target.id);
    await expect.poll(async () => (await handshakeError(nodes[0]!.url, fresh)) === null).toBe(true);
    // Every node learns of the lift through the channel, in its own time (moments).
    await expect
      .poll(() => handshakeError(nodes[2]!.url, target.token))
      .toMatchObject({ error: { code: "UNAUTHORIZED", message: "session revoked (logged_out)" } });
    const c = await connectAs(nodes[2]!.url, { ...target, token: fresh });
    open.push(c);
    expect(c.connected).toBe(true);
  });
});
