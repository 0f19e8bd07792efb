import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export * from "./generated/client";
export type { PrismaClient };

export interface DbOptions {
  /** postgresql://… */
  url: string;
  /** Pool size per process (default 10). */
  max?: number;
}

/** A Prisma client over node-postgres (no native engine). Call `$disconnect()` on shutdown. */
export function createDb({ url, max = 10 }: DbOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max, connectionTimeoutMillis: 5_000 });
  return new PrismaClient({ adapter });
}

export { hashPassword, verifyPassword } from "./passwords";
export { seedDemo, DEMO_USERS, DEMO_PASSWORD, DEMO_GROUP_ID, directKeyOf } from "./seed";
