// Bounded, seeded fuzzing of every client event against a real node: valid
// payloads mutated in every way a hostile or buggy client could (wrong types,
// missing and extra keys, __proto__, huge and control-character strings,
// unpaired surrogates, deep nesting, non-objects). Whatever arrives, the ack
// is the contract's envelope and never INTERNAL, the socket stays usable, and
// no invalid send stores anything.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "@relay/shared/errors";
import { CLIENT_EVENTS } from "@relay/shared/protocol";
import { connectAs, createConversation, createUser, request, type TestUser } from "./fixtures";
import { startNode, type TestClient, type TestNode } from "./helpers";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);

/** mulberry32: small, fast, reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    const r = rng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const strings = [
      "",
      " ",
      "x".repeat(5000),
      "a\u0000b",
      "\u202Ereversed",
      "lone \uD800",
      "\uDC00",
      "😀",
      "<script>alert(1)</script>",
      "%E0%A4%A",
      "__proto__",
      "constructor",
      "1e309",
      randomUUID(),
      conversationId,
    ];
    const scalar = (): unknown =>
      pick<() => unknown>([
        () => pick(strings),
        () => Math.floor(r() * 2 ** 40) * (r() < 0.5 ? -1 : 1),
        () => r() * 1e6,
        () => Number.MAX_SAFE_INTEGER + 2,
        () => null,
        () => true,
        () => [],
        () => ({}),
        () => [pick(strings)],
      ])();
    const deep = (n: number): unknown => (n === 0 ? "bottom" : { next: deep(n - 1) });
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
    const mutate = (p: Record<string, unknown>): unknown => {
      const keys = Object.keys(p);
      switch (Math.floor(r() * 9)) {
        case 0:
          return scalar(); // not an object at all
        case 1: {
          const q = { ...p };
          delete q[pick(keys)];
          return q;
        }
        case 2:
          return { ...p, [pick(keys)]: scalar() };
        case 3:
          return { ...p, [pick(["extra", "admin", "role", "seq"])]: scalar() };
        case 4:
          return JSON.parse(
            `{"__proto__":{"polluted":true},${JSON.stringify(p).slice(1)}`,
          ) as unknown;
        case 5:
          return { ...p, [pick(keys)]: deep(40) };
        case 6:
          return { ...p, [pick(keys)]: pick(strings) };
        case 7:
          return [p];
        default:
          return { ...p, [pick(keys)]: [scalar(), scalar()] };
      }
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
