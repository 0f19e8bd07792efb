// Push worker entry point: validate env, connect stores, take jobs from the
// push queue, serve /metrics and /healthz; SIGTERM stops taking jobs, lets
// the running ones finish, then exits (a SIGKILLed worker's jobs are taken
// over by the others, or by itself after a restart, once their lock expires).
import { createLogger, createStores, loadEnvOrExit, logFormatFor, onShutdown } from "@relay/core";
import { createPushWorker } from "@relay/core/push-worker";
import { loadPushEnv } from "./env";
import { createPushHttpServer } from "./http";
import { createPushMetrics } from "./metrics";
import { createProviders } from "./providers";

async function main() {
  const env = loadEnvOrExit("push", () => loadPushEnv());
  const logger = createLogger({ app: "push", level: env.LOG_LEVEL, format: logFormatFor(env) });
  // The worker's stores never enqueue a message fan-out themselves, but keep
  // the push port: its stats feed the queue gauges.
  const stores = createStores(env, { logger, dbPoolMax: Math.min(20, env.PUSH_CONCURRENCY) });
  const providers = createProviders(env, logger);
  const metrics = createPushMetrics({ providers, stats: () => stores.push.stats() });
  const worker = await createPushWorker(stores, {
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    concurrency: env.PUSH_CONCURRENCY,
    maxAttempts: env.PUSH_MAX_ATTEMPTS,
    backoff: { baseMs: env.PUSH_BACKOFF_BASE_MS, maxMs: env.PUSH_BACKOFF_MAX_MS },
    awayDelayMs: env.PUSH_AWAY_DELAY_S * 1000,
    collapseWindowMs: env.PUSH_COLLAPSE_WINDOW_MS,
    mentionsBypassMute: env.PUSH_MENTIONS_BYPASS_MUTE,
    messageGraceMs: 60_000,
    lockDurationMs: env.PUSH_LOCK_MS,
    stalledIntervalMs: env.PUSH_STALLED_INTERVAL_MS,
    providers,
    observer: metrics.observer,
  });
  let running = false;
  const http = createPushHttpServer({
    registry: metrics.registry,
    core: stores,
    running: () => running,
  });
  http.listen(env.PUSH_METRICS_PORT);
  worker.start();
  await worker.ready();
  running = true;
  logger.info(
    { metricsPort: env.PUSH_METRICS_PORT, concurrency: env.PUSH_CONCURRENCY },
    "push worker started",
  );

  onShutdown(
    logger,
    async () => {
      await worker.close();
      running = false;
      http.close();
      await stores.close();
    },
    { timeoutMs: 15_000, message: "shutting down (finishing running jobs)" },
  );
}

void main();
