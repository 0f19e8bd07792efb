// Test helpers for the core services against the real test stores (Postgres,
// Redis, Cassandra), configured from process.env like every other test
// (scripts/test.mjs sets the test profile). Not exported by the package.
import { randomUUID } from "node:crypto";
import { createDb, hashPassword, type PrismaClient, type User } from "@relay/db";
import { CassandraMessageRepository } from "@relay/messages";
import { connectTestCassandra, testCassandraConfig } from "@relay/messages/testing";
import { Redis } from "ioredis";
import { createMembershipReader, type MembershipReader } from "./membership";
import { createRecordingNotifier } from "./notifier";
import { createTokenService, type TokenService } from "./tokens";

export const TEST_PASSWORD = "correct horse battery";

export function testEnv() {
  return {
    databaseUrl: process.env.DATABASE_URL ?? "postgresql://relay:relay@127.0.0.1:5432/relay_test",
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379/1",
    redisPrefix: process.env.REDIS_PREFIX ?? "relay:test:",
    jwtSecret: process.env.JWT_SECRET ?? "test-secret-test-secret-test-secret-0123",
  };
}

export interface TestStores {
  db: PrismaClient;
  redis: Redis;
  redisPrefix: string;
  cassandra: Awaited<ReturnType<typeof connectTestCassandra>>;
  messages: CassandraMessageRepository;
  membership: MembershipReader;
  tokens: TokenService;
  notifier: ReturnType<typeof createRecordingNotifier>;
  close(): Promise<void>;
}

/** Connections to the test stores plus a recording notifier. Call close() in afterAll. */
export async function openTestStores(): Promise<TestStores> {
  const env = testEnv();
  const db = createDb({ url: env.databaseUrl, max: 4 });
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
  const cassandraConfig = testCassandraConfig();
  const cassandra = await connectTestCassandra(cassandraConfig);
  return {
    db,
    redis,
    redisPrefix: env.redisPrefix,
    cassandra,
    messages: new CassandraMessageRepository(cassandra, { keyspace: cassandraConfig.keyspace }),
    membership: createMembershipReader({ db, redis, redisPrefix: env.redisPrefix }),
    tokens: createTokenService({ jwtSecret: env.jwtSecret }),
    notifier: createRecordingNotifier(),
    async close() {
      await Promise.allSettled([db.$disconnect(), redis.quit(), cassandra.shutdown()]);
    },
  };
}

let passwordHash: Promise<string> | undefined;

/** A user with a unique email and TEST_PASSWORD (the hash is computed once per file). */
export async function createTestUser(
  db: PrismaClient,
  overrides: Partial<Pick<User, "name" | "email" | "role" | "status">> = {},
): Promise<User> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const id = randomUUID();
  return db.user.create({
    data: {
      email: `user-${id}@test.relay`,
      name: `Test ${id.slice(0, 8)}`,
      passwordHash: await passwordHash,
      ...overrides,
    },
  });
}
