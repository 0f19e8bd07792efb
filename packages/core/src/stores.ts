// The one store factory: every app, worker, test and benchmark builds its
// connections here (Postgres through Prisma, Redis, Cassandra, the Redis
// emitter as the default event port) and closes them with one `close()`.
import type { Client as CassandraClient } from "cassandra-driver";
import { Redis, type RedisOptions } from "ioredis";
import { createDb } from "@relay/db";
import {
  CassandraMessageRepository,
  createCassandraClient,
  type MessageRepository,
} from "@relay/messages/runtime";
import type { TStoreEnv } from "@relay/shared/env";
import { createMembershipReader } from "./conversations/membership";
import type { CoreDeps } from "./deps";
import { createEmitterEvents } from "./events/emitter";
import type { Logger } from "./logger";
import { createSequencer } from "./messages/sequencer";
import { createDisabledPush, createPushQueue } from "./push/queue";
import { createRateLimits, type TRateLimitOverrides } from "./rate-limits";
import { createOwnMarks } from "./receipts/receipts";
import { redisKeys } from "./redis-keys";

export interface StoresOptions {
  logger: Logger;
  /** Postgres pool size of this process (default 10). */
  dbPoolMax?: number;
  /** Rule changes, e.g. the sign-up/sign-in limits from the web app's env. */
  rateLimits?: TRateLimitOverrides;
  /** A message repository to use instead of Cassandra's (in-memory, for unit tests). */
  messages?: MessageRepository;
  /**
   * false: enqueue no pushes (benchmarks' "push off"). Default on: every
   * process that stores messages enqueues their push (the worker sends them).
   */
  push?: boolean;
}

export interface Stores extends CoreDeps {
  redisPrefix: string;
  cassandra: CassandraClient;
  /**
   * Another Redis connection with the same settings (Socket.IO adapter
   * pub/sub, subscribers), closed by `close()`.
   */
  duplicateRedis(name: string): Redis;
  /** Closes every connection opened here; safe to call twice. */
  close(): Promise<void>;
}

const REDIS_OPTIONS: RedisOptions = {
  // Keep reconnecting forever (≤ 1 s apart), but fail commands fast while
  // Redis is down instead of queueing them, so callers answer UNAVAILABLE.
  retryStrategy: (times: number) => Math.min(times * 100, 1000),
  maxRetriesPerRequest: 1,
};

export function createStores(env: TStoreEnv, opts: StoresOptions): Stores {
  const { logger } = opts;
  const redisClients: Redis[] = [];
  const connectRedis = (name: string) => {
    const client = new Redis(env.REDIS_URL, REDIS_OPTIONS);
    client.on("error", (err: Error) =>
      logger.warn({ err, client: name }, "redis connection error"),
    );
    redisClients.push(client);
    return client;
  };
  const redis = connectRedis("redis");
  const cassandra = createCassandraClient({
    contactPoints: env.CASSANDRA_CONTACT_POINTS,
    localDataCenter: env.CASSANDRA_LOCAL_DC,
    keyspace: env.CASSANDRA_KEYSPACE,
  });
  cassandra.on("log", (level: string, className: string, message: string) => {
    if (level === "error") logger.warn({ className, message }, "cassandra driver error");
  });
  const db = createDb({
    url: env.DATABASE_URL,
    ...(opts.dbPoolMax ? { max: opts.dbPoolMax } : {}),
  });
  const keys = redisKeys(env.REDIS_PREFIX);
  const messages = opts.messages ?? new CassandraMessageRepository(cassandra);
  const push =
    opts.push === false
      ? createDisabledPush()
      : createPushQueue({
          redis,
          connect: () => connectRedis("push-queue"),
          redisPrefix: env.REDIS_PREFIX,
          logger,
        });
  let closing: Promise<void> | undefined;
  const ownMarks = createOwnMarks({ db, logger });
  return {
    db,
    redis,
    keys,
    redisPrefix: env.REDIS_PREFIX,
    cassandra,
    messages,
    membership: createMembershipReader({ db, redis, redisPrefix: env.REDIS_PREFIX }),
    sequencer: createSequencer({ redis, keys, messages }),
    limits: createRateLimits(redis, keys, opts.rateLimits),
    events: createEmitterEvents(redis, env.REDIS_PREFIX, (err, event) =>
      logger.warn({ err, event }, "realtime event not published"),
    ),
    push,
    ownMarks,
    logger,
    duplicateRedis: connectRedis,
    close() {
      closing ??= ownMarks
        .flush()
        .then(() => push.close())
        .catch(() => undefined)
        .then(() =>
          Promise.allSettled([
            db.$disconnect(),
            cassandra.shutdown(),
            ...redisClients.map((c) => c.quit().catch(() => c.disconnect())),
          ]),
        )
        .then(() => undefined);
      return closing;
    },
  };
}
