// The naive presence design, as the baseline of bench/presence.ts: every
// connected user's presence key is rewritten every interval (SETEX with a TTL
// of two intervals, so a missed beat does not flip the user offline). Users'
// beats are spread evenly over the interval, so the write rate is constant:
// users / interval.
//
// It uses SETEX on purpose: Relay never does, so one INFO commandstats delta
// over the same window separates the baseline's writes from Relay's.
//
// Input (env): REDIS_URL, BENCH_HB_PREFIX, BENCH_HB_USERS, BENCH_HB_INTERVAL_MS.
// Prints "ready" once beating; on SIGTERM prints `{"sent": n}` and exits.
import { Redis } from "ioredis";

const env = process.env;
const users = Number(env.BENCH_HB_USERS ?? 0);
const intervalMs = Number(env.BENCH_HB_INTERVAL_MS ?? 30_000);
const prefix = env.BENCH_HB_PREFIX ?? "relay:bench-presence:hb:";
const ttlS = Math.ceil((2 * intervalMs) / 1000);
const TICK_MS = 20;

const redis = new Redis(env.REDIS_URL ?? "redis://127.0.0.1:6379/1", { maxRetriesPerRequest: 1 });
let sent = 0;
let t0 = 0;

async function tick() {
  // How many beats should have happened by now at users/interval per ms.
  const due = Math.floor(((performance.now() - t0) / intervalMs) * users);
  if (due <= sent) return;
  const p = redis.pipeline();
  for (let k = sent; k < due; k++) p.setex(`${prefix}user:${k % users}`, ttlS, "online");
  sent = due;
  await p.exec();
}

async function main() {
  if (!users) throw new Error("BENCH_HB_USERS is not set");
  await redis.ping();
  t0 = performance.now();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch((err: unknown) => process.stderr.write(`heartbeat: ${String(err)}\n`))
      .finally(() => (busy = false));
  }, TICK_MS);
  process.stdout.write("ready\n");
  process.on("SIGTERM", () => {
    clearInterval(timer);
    process.stdout.write(`${JSON.stringify({ sent })}\n`);
    redis.disconnect();
    process.exit(0);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`heartbeat failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
