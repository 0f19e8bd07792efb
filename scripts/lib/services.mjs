import { ensureCassandra } from "./cassandra.mjs";
import { ensurePostgres } from "./postgres.mjs";
import { ensureRedis } from "./redis.mjs";
import { log } from "./proc.mjs";

/** Bring up Postgres, Redis and Cassandra for the given env (idempotent). */
export async function servicesUp(env) {
  const t0 = Date.now();
  // Cassandra is the slow one: start it while the others are checked.
  const cassandra = ensureCassandra(env.CASSANDRA_CONTACT_POINTS);
  cassandra.catch(() => {});
  await ensurePostgres(env.DATABASE_URL);
  await ensureRedis(env.REDIS_URL);
  await cassandra;
  log(`services ready: Postgres, Redis, Cassandra (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
