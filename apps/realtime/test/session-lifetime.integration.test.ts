// A socket lives as long as its access token (issue: live sockets were never
// re-authorized): the server ends it with session:revoked {reason:"expired"}
// unless the client refreshes over the socket; refreshes are checked like
// handshakes. Plus the handshake's strictness about claims and its tolerance
// of string-typed auth values (Java clients).
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "@relay/core";
import type { TSessionRevokedEvent } from "@relay/shared/schemas";
import { createConversation, createUser, newClientMsgId, request } from "./fixtures";
import {
  connectClient,
  env,
  signTestToken,
  startNode,
  type TestClient,
  type TestNode,
} from "./helpers";

let node: TestNode;
const open: TestClient[] = [];
beforeAll(async () => {
  node = await startNode();
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(() => node.close());

async function connect(token: string, extra: Record<string, unknown> = {}) {
  const c = await connectClient(node.url, { token, ...extra });
  open.push(c);
  return c;
}

function ended(c: TestClient): Promise<TSessionRevokedEvent> {
  return new Promise((resolve, reject) => {
    let event: TSessionRevokedEvent | null = null;
    c.once("session:revoked", (e) => (event = e));
    c.once("disconnect", (why) =>
      event ? resolve(event) : reject(new Error(`disconnected (${why}) without session:revoked`)),
    );
  });
}

describe("socket lifetime", () => {
  it("ends an unrefreshed socket at its token's expiry, keeps a refreshed one", async () => {
    const user = await createUser();
    const conv = await createConversation("DIRECT", [user, await createUser()]);
    const [stale, kept] = await Promise.all([
      connect(await signTestToken(user.id, { expiresIn: "3s" })),
      connect(await signTestToken(user.id, { expiresIn: "3s" })),
    ]);
    const staleEnd = ended(stale);
    const refreshed = await request<{ expiresAt: string }>(kept, "auth:refresh", {
      token: await signTestToken(user.id, { expiresIn: "15m" }),
    });
    expect(refreshed.ok && Date.parse(refreshed.data.expiresAt)).toBeGreaterThan(
      Date.now() + 60_000,
    );
    // The other socket's end proves the old expiry has passed; the refreshed one lives on.
    expect(await staleEnd).toEqual({ reason: "expired" });
    expect(kept.connected).toBe(true);
    const sent = await request(kept, "message:send", {
      conversationId: conv,
      clientMsgId: newClientMsgId(),
      body: "still connected",
    });
    expect(sent.ok).toBe(true);
  });

  it("checks a refresh like a handshake: same user, valid token", async () => {
    const [user, other] = await Promise.all([createUser(), createUser()]);
    const c = await connect(user.token);
    expect(await request(c, "auth:refresh", { token: other.token })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    for (const token of ["garbage", await signTestToken(user.id, { expiresIn: "-1m" })])
      expect(await request(c, "auth:refresh", { token })).toMatchObject({
        ok: false,
        error: { code: "UNAUTHORIZED" },
      });
    expect(await request(c, "auth:refresh", {})).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });
    expect(c.connected).toBe(true); // a refused refresh does not end a still-valid session
  });
});

describe("handshake", () => {
  it("refuses tokens without exp or iat, however well signed", async () => {
    const key = new TextEncoder().encode(env.JWT_SECRET);
    const base = () =>
      new SignJWT({ role: "USER", sid: randomUUID() })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(randomUUID())
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE);
    for (const token of [
      await base().setIssuedAt().sign(key),
      await base().setExpirationTime("5m").sign(key),
    ]) {
      const err = await connectClient(node.url, { token }).then(
        (c) => (c.close(), null),
        (e: Error & { data?: unknown }) => e.data,
      );
      expect(err).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
    }
  });

  it('accepts protocolVersion "1" as a string (mobile clients send string maps)', async () => {
    const user = await createUser();
    const c = await connect(user.token, { protocolVersion: "1" });
    expect(c.connected).toBe(true);
    const err = await connectClient(node.url, { token: user.token, protocolVersion: "2" }).then(
      (x) => (x.close(), null),
      (e: Error & { data?: unknown }) => e.data,
    );
    expect(err).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
  });
});
