// Signed-out browser sessions reaching every node: the web app's sign-out
// (core's revokeSession, run in another process) ends the sockets opened with
// that session's realtime tokens on any node, refuses those tokens at every
// handshake and at auth:refresh, and leaves the user's other sessions alone;
// "sign out everywhere" ends them all with session:revoked {logged_out}.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createLogger,
  createStores,
  createTokenService,
  revokeSession,
  signOutEverywhere,
  type Stores,
} from "@relay/core";
import type { TMessageSendResult, TSessionRevokedEvent } from "@relay/shared/schemas";
import { createConversation, createUser, newClientMsgId, request } from "./fixtures";
import { connectClient, env, startNode, type TestClient, type TestNode } from "./helpers";

let nodes: TestNode[];
/** The web app's side: its own store connections and emitter-backed events. */
let webSide: Stores;
const tokens = createTokenService({ jwtSecret: env.JWT_SECRET });
const open: TestClient[] = [];

beforeAll(async () => {
  nodes = await Promise.all([startNode(), startNode()]);
  await Promise.all(nodes.map((n) => n.app.deny.ready));
  webSide = createStores(env, { logger: createLogger({ app: "web-test", level: "error" }) });
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await webSide.close();
});

/** A realtime token as GET /api/v1/auth/realtime-token mints it for a browser session. */
const browserToken = (userId: string, sessionId: string) =>
  tokens.signAccess({ userId, role: "USER", sessionId });

async function socket(node: number, token: string) {
  const c = await connectClient(nodes[node]!.url, { token });
  open.push(c);
  return c;
}

function endedWith(c: TestClient): Promise<TSessionRevokedEvent> {
  return new Promise((resolve, reject) => {
    let event: TSessionRevokedEvent | null = null;
    const timer = setTimeout(() => reject(new Error("socket was not ended")), 5_000);
    c.once("session:revoked", (e) => (event = e));
    c.once("disconnect", (why) => {
      clearTimeout(timer);
      if (!event) return reject(new Error(`disconnected (${why}) without session:revoked`));
      resolve(event);
    });
  });
}

const handshake = (node: number, token: string) =>
  connectClient(nodes[node]!.url, { token }).then(
    (c) => {
      c.close();
      return "connected";
    },
    (err: Error & { data?: unknown }) => err.data,
  );

describe("a browser session signed out in the web app", () => {
  it("ends its sockets on every node and refuses its tokens; the user's other session carries on", async () => {
    const [user, friend] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [user, friend]);
    const [signedOut, kept] = [`web:${randomUUID()}`, `web:${randomUUID()}`];
    const [t1, t2, keptToken] = await Promise.all([
      browserToken(user.id, signedOut),
      browserToken(user.id, signedOut),
      browserToken(user.id, kept),
    ]);
    const [onA, onB, other] = [
      await socket(0, t1),
      await socket(1, t2),
      await socket(1, keptToken),
    ];
    const ends = [endedWith(onA), endedWith(onB)];

    await revokeSession(webSide, {
      userId: user.id,
      sessionId: signedOut,
      expiresAt: new Date(Date.now() + 86_400_000),
    });

    expect(await Promise.all(ends)).toEqual([{ reason: "logged_out" }, { reason: "logged_out" }]);
    for (const node of [0, 1])
      expect(await handshake(node, t1)).toMatchObject({
        ok: false,
        error: { code: "UNAUTHORIZED", message: "session revoked (logged_out)" },
      });
    // auth:refresh cannot move a live socket onto the signed-out session either.
    const refreshed = await request(other, "auth:refresh", { token: t1 });
    expect(refreshed).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
    const sent = await request<TMessageSendResult>(other, "message:send", {
      conversationId: conv,
      clientMsgId: newClientMsgId(),
      body: "the other tab is still here",
    });
    expect(sent.ok).toBe(true);
    expect(other.connected).toBe(true);
  });
});

describe("sign out everywhere", () => {
  it("ends every socket of the user on every node with session:revoked {logged_out}", async () => {
    const user = await createUser();
    const [a, b] = await Promise.all([
      browserToken(user.id, `web:${randomUUID()}`),
      browserToken(user.id, `web:${randomUUID()}`),
    ]);
    const [onA, onB] = [await socket(0, a), await socket(1, b)];
    const ends = [endedWith(onA), endedWith(onB)];
    await new Promise((r) => setTimeout(r, 2));

    await signOutEverywhere(webSide, user.id);

    expect(await Promise.all(ends)).toEqual([{ reason: "logged_out" }, { reason: "logged_out" }]);
    expect(await handshake(1, a)).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
    // A session signed in afterwards connects.
    expect(await handshake(0, await browserToken(user.id, `web:${randomUUID()}`))).toBe(
      "connected",
    );
  });
});
