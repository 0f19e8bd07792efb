// Bounded, seeded fuzzing of every client event against a real node: valid
// payloads mutated in every way a hostile or buggy client could
// (@relay/tooling/fuzz: wrong types, missing and extra keys, __proto__, huge
// and control-character strings, unpaired surrogates, deep nesting, non-objects). Whatever arrives, the ack
// is the contract's envelope and never INTERNAL, the socket stays usable, and
// no invalid send stores anything.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "@relay/shared/errors";
import { CLIENT_EVENTS } from "@relay/shared/protocol";
import { createFuzzer } from "@relay/tooling/fuzz";
import { connectAs, createConversation, createUser, request, type TestUser } from "./fixtures";
import { startNode, type TestClient, type TestNode } from "./helpers";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);

let node: TestNode;
let socket: TestClient;
let user: TestUser;
let conversationId: string;
beforeAll(async () => {
  node = await startNode();
  user = await createUser();
  conversationId = await createConversation("DIRECT", [user, await createUser()]);
  socket = await connectAs(node.url, user);
});
afterAll(async () => {
  socket?.close();
  await node.close();
});

describe("fuzzing every client event", () => {
  it(`answers ${CASES} hostile payloads (seed ${SEED}) with the envelope, never INTERNAL, storing nothing invalid`, async () => {
    const { random: r, pick, mutate } = createFuzzer(SEED, [randomUUID(), conversationId]);
    const valid: Record<string, () => Record<string, unknown>> = {
      "message:send": () => ({ conversationId, clientMsgId: randomUUID(), body: "fuzz" }),
      "message:history": () => ({ conversationId, limit: 10 }),
      "message:edit": () => ({ conversationId, messageId: randomUUID(), body: "e" }),
      "message:delete": () => ({ conversationId, messageId: randomUUID() }),
      "receipt:delivered": () => ({ conversationId, seq: 1 }),
      "receipt:read": () => ({ conversationId, seq: 1 }),
      "typing:start": () => ({ conversationId }),
      "typing:stop": () => ({ conversationId }),
      "presence:watch": () => ({ userIds: [user.id] }),
      "presence:unwatch": () => ({ userIds: [user.id] }),
      "presence:set": () => ({ status: "online" }),
      sync: () => ({ conversations: { [conversationId]: 0 } }),
      "auth:refresh": () => ({ token: user.token }),
    };
    const acked = CLIENT_EVENTS.filter((e) => !e.startsWith("typing:"));
    const codes = new Map<string, number>();
    /** messageId → the body that was acknowledged (a retried clientMsgId acks the same id again). */
    const okSends = new Map<string, string>();
    for (let i = 0; i < CASES; i++) {
      const event = pick([...acked, "unknown:event"]);
      const base = valid[event]?.() ?? { any: "thing" };
      const payload = r() < 0.9 ? mutate(base) : base;
      if (r() < 0.05)
        socket.emit(pick(["typing:start", "typing:stop"]) as "typing:start", mutate(base) as never);
      const res = await request(socket, event, payload);
      const code = res.ok ? "OK" : res.error.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      expect(
        res.ok || (ERROR_CODES as readonly string[]).includes(res.error.code),
        `${event} ${JSON.stringify(payload)?.slice(0, 120)}`,
      ).toBe(true);
      expect(code, `${event} ${JSON.stringify(payload)?.slice(0, 120)}`).not.toBe("INTERNAL");
      if (
        event === "message:send" &&
        res.ok &&
        !okSends.has((res.data as { messageId: string }).messageId)
      )
        okSends.set(
          (res.data as { messageId: string }).messageId,
          String((payload as { body: unknown }).body).trim(),
        );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    expect(socket.connected).toBe(true);
    // Everything stored came from a send that was acknowledged as valid.
    const stored = await node.deps.messages.page(conversationId, { limit: 100 });
    expect(stored.messages.map((m) => m.id).sort()).toEqual([...okSends.keys()].sort());
    // …and holds exactly the text that was acknowledged.
    for (const m of stored.messages) expect(m.body).toBe(okSends.get(m.id));
    // The run exercised refusals, not just the happy path.
    expect(codes.get("INVALID_PAYLOAD") ?? 0).toBeGreaterThan(CASES / 3);
  });
});
