// The REST API's dependencies, built once per server process from loadEnv()
// on first use (never at import, so `next build` needs no stores). Kept on
// globalThis so dev-mode module reloads reuse the connections.
import {
  createMembershipReader,
  createRealtimeNotifier,
  createTokenService,
  type MembershipReader,
  type RealtimeNotifier,
  type TokenService,
} from "@relay/core";
import { createDb, type PrismaClient } from "@relay/db";
import {
  CassandraMessageRepository,
  createCassandraClient,
  type MessageRepository,
} from "@relay/messages/runtime";
import { Redis } from "ioredis";
import { loadEnv, type TWebEnv } from "../env";

export interface WebDeps {
  env: TWebEnv;
  db: PrismaClient;
  redis: Redis;
  cassandra: ReturnType<typeof createCassandraClient>;
  messages: MessageRepository;
  tokens: TokenService;
  membership: MembershipReader;
  notifier: RealtimeNotifier;
}

export function createWebDeps(env: TWebEnv): WebDeps {
  const redis = new Redis(env.REDIS_URL, {
    // Retry the connection forever (≤ 1 s apart) but fail commands fast while
    // Redis is down instead of queueing them behind the request.
    retryStrategy: (times: number) => Math.min(times * 100, 1000),
    maxRetriesPerRequest: 1,
  });
  redis.on("error", (err: Error) =>
    console.warn("[relay:web] redis connection error:", err.message),
  );
  const cassandra = createCassandraClient({
    contactPoints: env.CASSANDRA_CONTACT_POINTS,
    localDataCenter: env.CASSANDRA_LOCAL_DC,
    keyspace: env.CASSANDRA_KEYSPACE,
  });
  const db = createDb({ url: env.DATABASE_URL });
  return {
    env,
    db,
    redis,
    cassandra,
    messages: new CassandraMessageRepository(cassandra),
    tokens: createTokenService({ jwtSecret: env.JWT_SECRET }),
    membership: createMembershipReader({ db, redis, redisPrefix: env.REDIS_PREFIX }),
    notifier: createRealtimeNotifier(redis, env.REDIS_PREFIX),
  };
}

const holder = globalThis as typeof globalThis & { __relayWebDeps?: WebDeps };

/** The process-wide dependencies (created on first call). */
export function getDeps(): WebDeps {
  holder.__relayWebDeps ??= createWebDeps(loadEnv());
  return holder.__relayWebDeps;
}

/** Closes the process-wide dependencies, if any (tests, shutdown). */
export async function closeDeps(): Promise<void> {
  const deps = holder.__relayWebDeps;
  holder.__relayWebDeps = undefined;
  if (!deps) return;
  await Promise.allSettled([deps.db.$disconnect(), deps.cassandra.shutdown(), deps.redis.quit()]);
}
