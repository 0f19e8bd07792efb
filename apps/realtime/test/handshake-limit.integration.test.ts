// The per-IP handshake limit and the client-address rule it keys on: the TCP
// peer, unless that peer is one of TRUSTED_PROXIES — then the right-most
// X-Forwarded-For hop that is not. The same rule as the web front server
// (tests/edge.integration.test.ts), so rotating a header buys no budget.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "./fixtures";
import { connectClient, startNode, type TestNode } from "./helpers";

/** Connect with this X-Forwarded-For; "ok", or the connect_error's code. */
async function handshake(node: TestNode, user: TestUser, forwardedFor: string): Promise<string> {
  try {
    const socket = await connectClient(
      node.url,
      { token: user.token },
      { headers: { "x-forwarded-for": forwardedFor } },
    );
    socket.close();
    return "ok";
  } catch (err) {
    return (err as { data?: { error?: { code?: string } } }).data?.error?.code ?? String(err);
  }
}

const randomIp = () => `203.0.113.${Math.floor(Math.random() * 254) + 1}`;

describe("per-IP handshake limit", () => {
  let direct: TestNode;
  let behindProxy: TestNode;
  let user: TestUser;
  beforeAll(async () => {
    // Own prefixes: own counters, not shared with other tests from 127.0.0.1.
    [direct, behindProxy] = await Promise.all([
      startNode({ REALTIME_HANDSHAKE_LIMIT: 3, REDIS_PREFIX: `hs-${randomUUID().slice(0, 8)}:` }),
      startNode({
        REALTIME_HANDSHAKE_LIMIT: 3,
        REDIS_PREFIX: `hs-${randomUUID().slice(0, 8)}:`,
        TRUSTED_PROXIES: ["127.0.0.1/32"],
      }),
    ]);
    user = await createUser();
    // The limiter answers from memory until its Redis connection is up.
    await Promise.all([direct.deps.redis.ping(), behindProxy.deps.redis.ping()]);
  });
  afterAll(() => Promise.all([direct.close(), behindProxy.close()]));

  it("counts a direct client by its socket address: a rotated X-Forwarded-For buys nothing", async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await handshake(direct, user, randomIp()));
    expect(codes).toEqual(["ok", "ok", "ok", "RATE_LIMITED"]);
  });

  it("behind a trusted proxy, counts each forwarded client on its own", async () => {
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push(await handshake(behindProxy, user, `198.51.100.${i + 1}, 127.0.0.1`));
    expect(codes).toEqual(["ok", "ok", "ok", "ok"]);
    const same = [];
    for (let i = 0; i < 3; i++) same.push(await handshake(behindProxy, user, "198.51.100.1"));
    expect(same).toEqual(["ok", "ok", "RATE_LIMITED"]);
  });
});
