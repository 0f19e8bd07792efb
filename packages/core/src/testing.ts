// Test helpers (package export `@relay/core/testing`): the real test stores
// (Postgres, Redis, Cassandra of the test profile that scripts/test.mjs
// provisions and migrates), built by the same `createStores` as the apps.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { hashPassword, type PrismaClient, type User } from "@relay/db";
import { ZStoreEnvFields, type TStoreEnv } from "@relay/shared/env";
import { createTokenService, type TokenService } from "./auth/tokens";
import { createRecordingEvents } from "./events/port";
import { createLogger } from "./logger";
import { createStores, type Stores, type StoresOptions } from "./stores";

export const TEST_PASSWORD = "correct horse battery";

const ZTestEnvSchema = z.object({
  ...ZStoreEnvFields,
  DATABASE_URL: ZStoreEnvFields.DATABASE_URL.default(
    "postgresql://relay:relay@127.0.0.1:5432/relay_test",
  ),
  REDIS_URL: ZStoreEnvFields.REDIS_URL.default("redis://127.0.0.1:6379/1"),
  REDIS_PREFIX: z.string().min(1).default("relay:test:"),
  CASSANDRA_CONTACT_POINTS: ZStoreEnvFields.CASSANDRA_CONTACT_POINTS.default("127.0.0.1:9042"),
  CASSANDRA_LOCAL_DC: ZStoreEnvFields.CASSANDRA_LOCAL_DC.default("datacenter1"),
  CASSANDRA_KEYSPACE: ZStoreEnvFields.CASSANDRA_KEYSPACE.default("relay_test"),
  JWT_SECRET: z.string().min(32).default("test-secret-test-secret-test-secret-0123"),
});

/** The test profile's store variables (process.env over the defaults of scripts/lib/env.mjs). */
export function testEnv(): TStoreEnv & { JWT_SECRET: string } {
  const picked = Object.fromEntries(
    Object.keys(ZTestEnvSchema.shape).map((k) => [k, process.env[k] || undefined]),
  );
  return ZTestEnvSchema.parse(picked);
}

export const testLogger = () =>
  createLogger({ app: "test", level: process.env.TEST_LOG_LEVEL === "debug" ? "debug" : "error" });

export type RecordingEvents = ReturnType<typeof createRecordingEvents>;

export interface TestStores extends Omit<Stores, "events"> {
  /** Records every event a use case emits (instead of publishing it). */
  events: RecordingEvents;
  tokens: TokenService;
}

/** The test stores with a recording event port. Call close() in afterAll. */
export function openTestStores(opts: Partial<StoresOptions> = {}): TestStores {
  const env = testEnv();
  const stores = createStores(env, { logger: testLogger(), dbPoolMax: 4, ...opts });
  return {
    ...stores,
    events: createRecordingEvents(),
    tokens: createTokenService({ jwtSecret: env.JWT_SECRET }),
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

/**
 * A conversation of `members` written straight to Postgres (no use case, no
 * events): DIRECT with the pair's `directKey`, or GROUP titled `title`. The
 * first member is the OWNER. Returns its id.
 */
export async function createTestConversation(
  db: PrismaClient,
  type: "DIRECT" | "GROUP",
  members: ReadonlyArray<{ id: string }>,
  title = "Test group",
): Promise<string> {
  const conv = await db.conversation.create({
    data: {
      type,
      title: type === "GROUP" ? title : null,
      directKey:
        type === "DIRECT"
          ? members
              .map((m) => m.id)
              .sort()
              .join(":")
          : null,
      memberships: {
        create: members.map((m, i) => ({ userId: m.id, role: i === 0 ? "OWNER" : "MEMBER" })),
      },
    },
  });
  return conv.id;
}
