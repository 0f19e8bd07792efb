// The composition root's inputs: every store realtime talks to. index.ts
// builds them from env; tests build them against the test services.
import { createMembershipReader, type MembershipReader } from "@relay/core/membership";
import { createDb, type PrismaClient } from "@relay/db";
import {
  CassandraMessageRepository,
  createCassandraClient,
  type MessageRepository,
} from "@relay/messages/runtime";
import type { Client as CassandraClient } from "cassandra-driver";
import { Redis } from "ioredis";
import type { TRealtimeEnv } from "./env";
import type { Logger } from "./logger";

export interface Deps {
  db: PrismaClient;
  /** Commands (counters, presence, rate limits). */
  redis: Redis;
  /** Socket.IO adapter pub/sub pair. */
  pub: Redis;
  sub: Redis;
  cassandra: CassandraClient;
  messages: MessageRepository;
  membership: MembershipReader;
  redisPrefix: string;
}

type TStoreEnv = Pick<
  TRealtimeEnv,
  | "DATABASE_URL"
  | "REDIS_URL"
  | "REDIS_PREFIX"
  | "CASSANDRA_CONTACT_POINTS"
  | "CASSANDRA_LOCAL_DC"
  | "CASSANDRA_KEYSPACE"
>;

export function createDeps(env: TStoreEnv, logger: Logger): Deps {
  const redisOptions = {
    // Keep retrying forever (1 s max backoff); fail commands fast while down
    // instead of queueing them, so callers can answer UNAVAILABLE.
    retryStrategy: (times: number) => Math.min(times * 100, 1000),
    maxRetriesPerRequest: 1,
    lazyConnect: false,
  };
  const redis = new Redis(env.REDIS_URL, redisOptions);
  const pub = new Redis(env.REDIS_URL, redisOptions);
  const sub = new Redis(env.REDIS_URL, redisOptions);
  for (const [name, client] of [
    ["redis", redis],
    ["redis-pub", pub],
    ["redis-sub", sub],
  ] as const) {
    client.on("error", (err: Error) =>
      logger.warn("redis connection error", { client: name, err }),
    );
  }
  const cassandra = createCassandraClient({
    contactPoints: env.CASSANDRA_CONTACT_POINTS,
    localDataCenter: env.CASSANDRA_LOCAL_DC,
    keyspace: env.CASSANDRA_KEYSPACE,
  });
  cassandra.on("log", (level: string, className: string, message: string) => {
    if (level === "error") logger.warn("cassandra driver error", { className, message });
  });
  const db = createDb({ url: env.DATABASE_URL });
  return {
    db,
    redis,
    pub,
    sub,
    cassandra,
    messages: new CassandraMessageRepository(cassandra),
    membership: createMembershipReader({ db, redis, redisPrefix: env.REDIS_PREFIX }),
    redisPrefix: env.REDIS_PREFIX,
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await Promise.allSettled([
    deps.db.$disconnect(),
    deps.cassandra.shutdown(),
    deps.redis.quit(),
    deps.pub.quit(),
    deps.sub.quit(),
  ]);
}
