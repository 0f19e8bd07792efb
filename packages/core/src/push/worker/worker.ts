// The push worker: a BullMQ Worker on the push queue running the processor.
// Any number run side by side (each job is locked by one worker at a time);
// a worker that dies mid-job (SIGKILL) leaves its jobs locked until their
// lock expires (PUSH_LOCK_MS), then any worker's stalled check puts them
// back in the queue.
import type { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { CoreDeps } from "../../deps";
import { PUSH_DEAD_LETTER_QUEUE, PUSH_QUEUE, pushQueuePrefix } from "../keys";
import { retryDelayMs, type TBackoffPolicy } from "../policy";
import { loadBullMQ, PUSH_JOB_DEFAULTS, queueStats, type TPushQueueStats } from "../queue";
import {
  createPushProcessor,
  NOOP_OBSERVER,
  RetryLaterError,
  type PushObserver,
  type PushProcessorOptions,
  type TJobOutcome,
} from "./processor";
import type { PushProvider, TPushPlatform } from "./provider";

export interface PushWorkerOptions extends PushProcessorOptions {
  redisUrl: string;
  redisPrefix: string;
  concurrency: number;
  backoff: TBackoffPolicy;
  /** How long a job stays locked to a worker that stopped renewing it (crash) before others may take it. */
  lockDurationMs: number;
  /** How often each worker looks for such jobs. */
  stalledIntervalMs: number;
  providers: Record<TPushPlatform, PushProvider>;
  observer?: PushObserver;
}

export interface PushWorker {
  /** Starts taking jobs. */
  start(): void;
  /** Resolves once the worker is connected and listening for jobs. */
  ready(): Promise<void>;
  /** Stops taking jobs, waits for the running ones, closes its connections and providers. */
  close(): Promise<void>;
  stats(): Promise<TPushQueueStats>;
  readonly queue: Queue;
  readonly bullWorker: Worker;
}

export async function createPushWorker(
  deps: Pick<CoreDeps, "db" | "redis" | "messages" | "membership" | "logger">,
  opts: PushWorkerOptions,
): Promise<PushWorker> {
  const { Queue, Worker } = await loadBullMQ();
  const prefix = pushQueuePrefix(opts.redisPrefix);
  // BullMQ's blocking reads need maxRetriesPerRequest: null (they wait for
  // jobs, possibly across a Redis reconnect); this connection is the worker's own.
  const connection = new Redis(opts.redisUrl, {
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  });
  connection.on("error", (err: Error) => deps.logger.warn({ err }, "push worker redis error"));
  const queue = new Queue(PUSH_QUEUE, { connection, prefix, defaultJobOptions: PUSH_JOB_DEFAULTS });
  const deadLetters = new Queue(PUSH_DEAD_LETTER_QUEUE, { connection, prefix });
  const observer = opts.observer ?? NOOP_OBSERVER;
  const processor = createPushProcessor(
    {
      ...deps,
      redisPrefix: opts.redisPrefix,
      queue,
      deadLetters,
      providers: opts.providers,
      observer,
    },
    opts,
  );

  const worker = new Worker<unknown, TJobOutcome>(PUSH_QUEUE, (job) => processor.process(job), {
    connection,
    prefix,
    concurrency: opts.concurrency,
    autorun: false,
    lockDuration: opts.lockDurationMs,
    stalledInterval: opts.stalledIntervalMs,
    // A job whose worker crashed goes back to the queue (up to 3 times; more
    // means it crashes workers: failed, visible in the failed count).
    maxStalledCount: 3,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        retryDelayMs(
          attemptsMade,
          opts.backoff,
          err instanceof RetryLaterError ? err.retryAfterMs : undefined,
        ),
    },
  });
  worker.on("error", (err: Error) => deps.logger.warn({ err }, "push worker error"));
  worker.on("failed", (job, err) => {
    // Retries arrive here too (BullMQ reports each failed attempt).
    if (err instanceof RetryLaterError) return;
    deps.logger.error({ err, jobId: job?.id, job: job?.name }, "push job failed");
  });

  let closing: Promise<void> | undefined;
  return {
    queue,
    bullWorker: worker,
    start() {
      void worker.run().catch((err: unknown) => deps.logger.error({ err }, "push worker stopped"));
    },
    async ready() {
      await worker.waitUntilReady();
    },
    close() {
      closing ??= (async () => {
        await worker.close();
        await Promise.allSettled([queue.close(), deadLetters.close()]);
        await Promise.allSettled(Object.values(opts.providers).map((p) => p.close()));
        await connection.quit().catch(() => connection.disconnect());
      })();
      return closing;
    },
    stats: () => queueStats(queue, deadLetters),
  };
}
