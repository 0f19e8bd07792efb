// Prisma CLI configuration. Prisma's native engines cannot be downloaded on
// every machine (and need not be): the CLI runs its Wasm schema engine through
// the pg driver adapter. scripts/prisma.mjs sets the engine variables.
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaConfig } from "prisma";

const connectionString = process.env.DATABASE_URL;

/** The adapter's connection as far as migrations use it (its query client and error mapping). */
interface TMigrationConnection {
  client: { query(sql: string): Promise<unknown> };
  onError(err: unknown): never;
  executeScript(script: string): Promise<void>;
}

/**
 * PrismaPg runs a migration by splitting it on every ";" (adapter-pg 7),
 * which breaks a plpgsql body (`$$ … ; … $$`) or a ";" in a comment, and applies
 * the pieces one by one, so a failure leaves half a migration behind. Send the
 * whole file as one simple query instead: Postgres parses it properly and runs
 * it as one implicit transaction, so a migration applies completely or not at all.
 */
class WholeScriptPg extends PrismaPg {
  override async connect() {
    const conn = await super.connect();
    const c = conn as unknown as TMigrationConnection;
    c.executeScript = async (script: string) => {
      try {
        await c.client.query(script);
      } catch (err) {
        c.onError(err);
      }
    };
    return conn;
  }
}

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "migrations") },
  async adapter() {
    if (!connectionString) throw new Error("DATABASE_URL is required for Prisma migrations");
    // Short idle timeout: the CLI exits as soon as its work is done.
    return new WholeScriptPg({ connectionString, idleTimeoutMillis: 100, allowExitOnIdle: true });
  },
} satisfies PrismaConfig;
