import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userRoom } from "@relay/core";
import { connectClient, signTestToken, startNode, type TestNode } from "./helpers";

describe("Socket.IO handshake and cross-node rooms", () => {
  let a: TestNode;
  let b: TestNode;
  beforeAll(async () => {
    [a, b] = await Promise.all([startNode(), startNode()]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it("refuses a missing, forged or expired token with UNAUTHORIZED", async () => {
    const cases = [
      {},
      { token: await signTestToken(randomUUID(), { secret: "x".repeat(40) }) },
      { token: await signTestToken(randomUUID(), { expiresIn: "-1m" }) },
      { token: 42 },
    ];
    for (const auth of cases) {
      const err = (await connectClient(a.url, auth).then(
        () => null,
        (e: unknown) => e,
      )) as (Error & { data?: unknown }) | null;
      expect(err?.data).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
    }
  });

  it("refuses an unsupported protocol version", async () => {
    const token = await signTestToken(randomUUID());
    const err = (await connectClient(a.url, { token, protocolVersion: 99 }).catch(
      (e: unknown) => e,
    )) as Error & { data?: unknown };
    expect(err.data).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
  });

  it("accepts a valid token and reaches the user's sockets on another node", async () => {
    const userId = randomUUID();
    const client = await connectClient(b.url, { token: await signTestToken(userId) });
    try {
      const received = new Promise((resolve) => client.once("conversation:updated", resolve));
      const event = { conversationId: randomUUID(), reason: "updated" as const };
      // Emitted on node A, delivered through the Redis adapter to node B's socket.
      a.app.io.to(userRoom(userId)).emit("conversation:updated", event);
      expect(await received).toEqual(event);
    } finally {
      client.close();
    }
  });
});

describe("closing one node", () => {
  it("disconnects only its own sockets, not those on other nodes", async () => {
    const [a, b, c] = await Promise.all([startNode(), startNode(), startNode()]);
    const userId = randomUUID();
    const client = await connectClient(b.url, { token: await signTestToken(userId) });
    try {
      let disconnected = false;
      client.on("disconnect", () => (disconnected = true));
      await a.close();
      // Barrier: node C publishes after A's close finished; Redis keeps per-channel order,
      // so a disconnect request from A would reach B before this event.
      const received = new Promise((resolve) => client.once("conversation:updated", resolve));
      c.app.io
        .to(userRoom(userId))
        .emit("conversation:updated", { conversationId: randomUUID(), reason: "updated" });
      await received;
      expect(disconnected).toBe(false);
      expect(client.connected).toBe(true);
    } finally {
      client.close();
      await Promise.all([b.close(), c.close()]);
    }
  });
});
