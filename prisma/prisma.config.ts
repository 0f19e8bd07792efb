// Prisma CLI configuration. Prisma's native engines cannot be downloaded on
// every machine (and need not be): the CLI runs its Wasm schema engine through
// the pg driver adapter. scripts/prisma.mjs sets the engine variables.
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaConfig } from "prisma";

const connectionString = process.env.DATABASE_URL;

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "migrations") },
  async adapter() {
    if (!connectionString) throw new Error("DATABASE_URL is required for Prisma migrations");
    // Short idle timeout: the CLI exits as soon as its work is done.
    return new PrismaPg({ connectionString, idleTimeoutMillis: 100, allowExitOnIdle: true });
  },
} satisfies PrismaConfig;
