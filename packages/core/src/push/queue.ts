// The producer side of the push queue (BullMQ on Redis), created by
// `createStores` as `deps.push`, so every process that stores messages or
// read marks enqueues the same way.
//
// The send path adds ONE job per stored message (`fanout`, id from the
// message id) and awaits it before the ack: an acknowledged message's push
// is in Redis even if the process dies the next instant, and a retried send
// re-adds the same id, which BullMQ ignores. Everything slow (member
// presence, devices, Postgres, providers) happens later in the worker.
//
// bullmq is imported lazily and hidden from bundlers: Next.js apps build
// @relay/core into their server bundles and never need it unless they
// enqueue; Node resolves it from node_modules at run time.
import type * as BullMQModule from "bullmq";
import type { Job, JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../logger";
import { jobIds, PUSH_DEAD_LETTER_QUEUE, PUSH_QUEUE, pushKeys, pushQueuePrefix } from "./keys";

type BullMQ = typeof BullMQModule;

/** Attempts every job may use; the worker dead-letters earlier, at its PUSH_MAX_ATTEMPTS. */
export const PUSH_ATTEMPTS_CAP = 50;

/** Options of every push job: retried with the worker's backoff ("relay"), kept a while once done. */
export const PUSH_JOB_DEFAULTS: JobsOptions = {
  attempts: PUSH_ATTEMPTS_CAP,
  backoff: { type: "relay" },
  // Completed jobs are kept an hour so a re-add of the same id within it is
  // ignored; beyond that the worker's "sent" markers (24 h) stop duplicates.
  removeOnComplete: { age: 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export type TPushJobName = "fanout" | "deliver" | "trail" | "clear";

export interface TMessageStored {
  messageId: string;
  conversationId: string;
  seq: number;
  senderId: string;
  mentionedUserIds?: string[];
}

export interface TConversationRead {
  userId: string;
  conversationId: string;
  readSeq: number;
}

export interface TPushQueueStats {
  waiting: number;
  active: number;
  delayed: number;
  /** Jobs BullMQ failed outright (malformed, or a worker crash past the stall limit). */
  failed: number;
  /** Jobs that used up their attempts, waiting for an operator (npm run push:dlq). */
  deadLettered: number;
  /** Age of the oldest job waiting to run (not delayed), ms; 0 when none. */
  oldestWaitingAgeMs: number;
}

export interface TDeadLetter {
  id: string;
  name: string;
  data: unknown;
  failedReason: string;
  attemptsMade: number;
  deadLetteredAt: string;
}

/** The push queue as the domain sees it (deps.push). */
export interface PushPort {
  /** Enqueue the fan-out of a stored message; resolves once Redis has the job. */
  messageStored(input: TMessageStored): Promise<void>;
  /** A read mark moved: if a device shows a notification of that conversation, enqueue its silent clear. */
  conversationRead(input: TConversationRead): Promise<void>;
  /** Queue depth, failures and the dead-letter count (metrics, the admin live-ops page). */
  stats(): Promise<TPushQueueStats>;
  deadLetters: {
    list(limit?: number): Promise<TDeadLetter[]>;
    /** Put dead-lettered jobs back on the queue (all when `ids` is omitted); returns how many. */
    replay(ids?: string[]): Promise<number>;
  };
  close(): Promise<void>;
}

let bullmq: Promise<BullMQ> | undefined;
/** bullmq, loaded on first use (see the header). */
export function loadBullMQ(): Promise<BullMQ> {
  bullmq ??= import(/* webpackIgnore: true */ /* turbopackIgnore: true */ "bullmq");
  return bullmq;
}

/** The stats of the push queue `main` and its dead-letter queue `dead` (producer and worker alike). */
export async function queueStats(main: Queue, dead: Queue): Promise<TPushQueueStats> {
  const [counts, deadLettered, oldest] = await Promise.all([
    main.getJobCounts("waiting", "active", "delayed", "failed", "prioritized"),
    dead.count(),
    main.getJobs(["wait"], 0, 0, true),
  ]);
  const first = oldest[0];
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    deadLettered,
    oldestWaitingAgeMs: first ? Math.max(0, Date.now() - first.timestamp) : 0,
  };
}

export interface PushQueueDeps {
  /** The process's command connection (one EXISTS per read receipt). */
  redis: Redis;
  /** Opens BullMQ's own connection on first use (non-blocking: fails fast while Redis is down). */
  connect(): Redis;
  redisPrefix: string;
  logger: Logger;
}

export function createPushQueue(deps: PushQueueDeps): PushPort {
  const keys = pushKeys(deps.redisPrefix);
  const prefix = pushQueuePrefix(deps.redisPrefix);
  let queues: Promise<{ main: Queue; dead: Queue }> | undefined;
  const open = () =>
    (queues ??= loadBullMQ().then(({ Queue }) => {
      const connection = deps.connect();
      const main = new Queue(PUSH_QUEUE, {
        connection,
        prefix,
        defaultJobOptions: PUSH_JOB_DEFAULTS,
      });
      const dead = new Queue(PUSH_DEAD_LETTER_QUEUE, { connection, prefix });
      for (const q of [main, dead])
        q.on("error", (err: Error) => deps.logger.warn({ err }, "push queue error"));
      return { main, dead };
    }));

  return {
    async messageStored(input) {
      const { main } = await open();
      await main.add(
        "fanout",
        {
          messageId: input.messageId,
          conversationId: input.conversationId,
          seq: input.seq,
          senderId: input.senderId,
          mentionedUserIds: input.mentionedUserIds ?? [],
        },
        { jobId: jobIds.fanout(input.messageId) },
      );
    },

    async conversationRead(input) {
      // Most reads have nothing to clear: one EXISTS instead of a job per receipt.
      if ((await deps.redis.exists(keys.shown(input.userId, input.conversationId))) === 0) return;
      const { main } = await open();
      await main.add(
        "clear",
        { userId: input.userId, conversationId: input.conversationId, readSeq: input.readSeq },
        { jobId: jobIds.clear(input.userId, input.conversationId, input.readSeq) },
      );
    },

    async stats() {
      const { main, dead } = await open();
      return queueStats(main, dead);
    },

    deadLetters: {
      async list(limit = 100) {
        const { dead } = await open();
        const jobs = (await dead.getJobs(["wait"], 0, limit - 1, true)) as Job[];
        return jobs.map(toDeadLetter);
      },
      async replay(ids) {
        const { main, dead } = await open();
        const jobs = ids
          ? (await Promise.all(ids.map((id) => dead.getJob(id)))).filter(
              (j): j is Job => j !== undefined,
            )
          : ((await dead.getJobs(["wait"], 0, -1, true)) as Job[]);
        let replayed = 0;
        for (const job of jobs) {
          const letter = toDeadLetter(job);
          // A fresh id (the original may still be retained as completed); the
          // worker's "sent" markers still stop a push that did go out.
          await main.add(letter.name, letter.data, {
            jobId: `${letter.id}.r${Date.now().toString(36)}`,
          });
          await job.remove();
          replayed++;
        }
        return replayed;
      },
    },

    async close() {
      if (!queues) return;
      const { main, dead } = await queues;
      await Promise.allSettled([main.close(), dead.close()]);
    },
  };
}

/** A dead-letter job's payload (written by the worker). */
export interface TDeadLetterData {
  name: string;
  data: unknown;
  failedReason: string;
  attemptsMade: number;
  deadLetteredAt: string;
}

function toDeadLetter(job: Job): TDeadLetter {
  const d = job.data as TDeadLetterData;
  return {
    id: job.id ?? "",
    name: d.name,
    data: d.data,
    failedReason: d.failedReason,
    attemptsMade: d.attemptsMade,
    deadLetteredAt: d.deadLetteredAt,
  };
}

/** A push port that enqueues nothing (benchmarks' "push off", processes that never store messages). */
export function createDisabledPush(): PushPort {
  const none = (): Promise<never> => Promise.reject(new Error("push is disabled in this process"));
  return {
    messageStored: () => Promise.resolve(),
    conversationRead: () => Promise.resolve(),
    stats: none,
    deadLetters: { list: none, replay: none },
    close: () => Promise.resolve(),
  };
}

/** Queue depth and failures (for the worker's metrics and the admin console's live-ops page). */
export function pushQueueStats(deps: { push: PushPort }): Promise<TPushQueueStats> {
  return deps.push.stats();
}
