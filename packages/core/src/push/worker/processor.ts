// What the push worker does with each job (one function per job name).
//
//   fanout  (one per stored message)  → who gets pushed → one `deliver` per device
//   deliver (one message, one device) → re-check → collapse gate → send
//   trail   (end of a collapse window)→ the latest unread message, if any → send
//   clear   (the user read)           → silent push to devices showing that conversation
//
// Every send is preceded by the re-check that makes a late push impossible
// (Zulip's rule): the message still exists and is not deleted, the user is
// still a member, has not read it (Postgres, not a cache), has not muted
// the conversation since, and has no live socket now. After a send the read
// mark is checked once more: a read that raced the send gets its clear.
//
// Exactly once: jobs have deterministic ids (a repeated enqueue is ignored),
// a "sent" marker is set right after the provider accepted a push (a retried,
// stalled-and-recovered or replayed job skips it), and collapse ids make a
// repeat that slipped through (a crash between provider accept and marker)
// replace the notification rather than add one.
import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { z } from "zod";
import type { StoredMessage } from "@relay/messages/runtime";
import {
  ZPushClearJobSchema,
  ZPushDeliverJobSchema,
  ZPushFanoutJobSchema,
  ZPushTrailJobSchema,
  type TPushClearJob,
  type TPushDeliverJob,
  type TPushFanoutJob,
  type TPushTrailJob,
} from "@relay/shared/schemas";
import type { CoreDeps } from "../../deps";
import { readPresence } from "../../presence/presence-state";
import { countUnread } from "../../receipts/unread";
import { jobIds, pushKeys, SENT_MARKER_TTL_SECONDS, SHOWN_TTL_SECONDS } from "../keys";
import type { TPushContent } from "../payload";
import {
  isMuted,
  presenceAllowsPush,
  selectRecipients,
  type TRecipientPolicy,
  type TSendFailure,
} from "../policy";
import { PUSH_JOB_DEFAULTS, type TDeadLetterData, type TPushJobName } from "../queue";
import { previewFromDb } from "../settings";
import { PushSendError, type PushProvider, type TPushPlatform } from "./provider";

/** Thrown to let BullMQ retry the job; the backoff strategy reads `retryAfterMs`. */
export class RetryLaterError extends Error {
  override readonly name = "RetryLaterError";
  constructor(
    readonly reason: string,
    readonly retryAfterMs?: number,
  ) {
    super(`retry: ${reason}`);
  }
}

/** What happened to a job (returned as the job's result, and counted). */
export type TJobOutcome =
  | { outcome: "fanned_out"; deliveries: number; skipped: Record<string, number> }
  | { outcome: "sent"; platform: TPushPlatform; pushes: number }
  | { outcome: "skipped"; reason: string }
  | { outcome: "token_disabled"; reason: string }
  | { outcome: "rejected"; reason: string }
  | { outcome: "dead_lettered"; reason: string };

/** Hooks for metrics (apps/push) and tests; every call is synchronous and must not throw. */
export interface PushObserver {
  queued(job: TPushJobName, count: number): void;
  sent(platform: TPushPlatform, kind: "message" | "clear", seconds: number): void;
  failed(platform: TPushPlatform, reason: string, seconds: number): void;
  retried(job: TPushJobName, reason: string): void;
  deadLettered(job: TPushJobName, reason: string): void;
  tokenDisabled(platform: TPushPlatform, reason: string): void;
  skipped(job: TPushJobName, reason: string): void;
}

export const NOOP_OBSERVER: PushObserver = {
  queued() {},
  sent() {},
  failed() {},
  retried() {},
  deadLettered() {},
  tokenDisabled() {},
  skipped() {},
};

export interface PushProcessorOptions extends TRecipientPolicy {
  /** A device gets at most one push per conversation per window; the rest collapse into one trailing update. */
  collapseWindowMs: number;
  /** Attempts before a job is dead-lettered (≤ PUSH_ATTEMPTS_CAP). */
  maxAttempts: number;
  /** How long a fan-out waits for a message that is not in Cassandra yet (its send may still be writing it). */
  messageGraceMs: number;
}

export interface PushProcessorDeps extends Pick<
  CoreDeps,
  "db" | "redis" | "messages" | "membership" | "logger"
> {
  redisPrefix: string;
  /** The queue the worker consumes (child jobs are added to it). */
  queue: Queue;
  deadLetters: Queue;
  providers: Record<TPushPlatform, PushProvider>;
  observer: PushObserver;
  now?: () => number;
}

// ------------------------------------------------------------- Redis scripts

/** Opens the window (returns 1) unless another push holds it; `owner` re-entering (a retry) passes. */
const GATE = `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[2] .. '|' .. ARGV[1], 'PX', ARGV[3])
  return {1, ARGV[2], 0}
end
local sep = string.find(v, '|', 1, true)
local opened = string.sub(v, 1, sep - 1)
if string.sub(v, sep + 1) == ARGV[1] then return {1, opened, 0} end
return {0, opened, redis.call('PTTL', KEYS[1])}
`;
/** shown[device] = max(shown[device], seq), and refresh the hash's TTL. */
const RAISE = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;
/** Forget shown[device] if it is at most `seq` (a newer notification stays recorded). */
const FORGET = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and tonumber(cur) <= tonumber(ARGV[2]) then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

interface PushCommands {
  relayPushGate(
    key: string,
    owner: string,
    nowMs: number,
    windowMs: number,
  ): Promise<[number, string, number]>;
  relayPushRaise(key: string, deviceId: string, seq: number, ttl: number): Promise<number>;
  relayPushForget(key: string, deviceId: string, seq: number): Promise<number>;
}

function withPushCommands(redis: Redis): Redis & PushCommands {
  const r = redis as Redis & Partial<PushCommands>;
  if (typeof r.relayPushGate !== "function") {
    redis.defineCommand("relayPushGate", { numberOfKeys: 1, lua: GATE });
    redis.defineCommand("relayPushRaise", { numberOfKeys: 1, lua: RAISE });
    redis.defineCommand("relayPushForget", { numberOfKeys: 1, lua: FORGET });
  }
  return redis as Redis & PushCommands;
}

// ------------------------------------------------------------------ helpers

const SCHEMAS = {
  fanout: ZPushFanoutJobSchema,
  deliver: ZPushDeliverJobSchema,
  trail: ZPushTrailJobSchema,
  clear: ZPushClearJobSchema,
} satisfies Record<TPushJobName, z.ZodType>;

const PLATFORM = { FCM: "fcm", APNS: "apns" } as const;

export function createPushProcessor(deps: PushProcessorDeps, opts: PushProcessorOptions) {
  const { db, messages, logger, observer, queue } = deps;
  const redis = withPushCommands(deps.redis);
  const keys = pushKeys(deps.redisPrefix);
  const now = deps.now ?? Date.now;

  const skip = (job: TPushJobName, reason: string): TJobOutcome => {
    observer.skipped(job, reason);
    return { outcome: "skipped", reason };
  };

  async function deadLetter(job: Job, reason: string): Promise<TJobOutcome> {
    const data: TDeadLetterData = {
      name: job.name,
      data: job.data as unknown,
      failedReason: reason,
      attemptsMade: job.attemptsMade + 1,
      deadLetteredAt: new Date(now()).toISOString(),
    };
    // Same id as the job: a worker that dies after this line and redoes the
    // job adds nothing new.
    await deps.deadLetters.add(job.name, data, { jobId: job.id ?? undefined });
    observer.deadLettered(job.name as TPushJobName, reason);
    logger.warn({ jobId: job.id, job: job.name, reason }, "push dead-lettered");
    return { outcome: "dead_lettered", reason };
  }

  /** A retryable failure: back off, or dead-letter on the last attempt. */
  async function retryOrDeadLetter(job: Job, failure: TSendFailure): Promise<TJobOutcome> {
    if (job.attemptsMade + 1 >= opts.maxAttempts) return deadLetter(job, failure.reason);
    observer.retried(job.name as TPushJobName, failure.reason);
    throw new RetryLaterError(failure.reason, failure.retryAfterMs);
  }

  /** The user's total unread over every conversation (the badge), as the conversation list counts it. */
  async function totalUnread(userId: string): Promise<number> {
    const rows = await db.membership.findMany({
      where: { userId, conversation: { deletedAt: null } },
      select: { conversationId: true, lastReadSeq: true },
    });
    const counts = await countUnread(
      messages,
      rows.map((r) => ({
        conversationId: r.conversationId,
        readerId: userId,
        readSeq: r.lastReadSeq,
      })),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** Device + owner + membership as they are now, or why not to push. */
  async function loadRecipient(userId: string, deviceId: string, conversationId: string) {
    const [device, membership] = await Promise.all([
      db.device.findUnique({
        where: { id: deviceId },
        include: { user: { select: { status: true, pushPreview: true } } },
      }),
      db.membership.findUnique({
        where: { conversationId_userId: { conversationId, userId } },
        select: {
          lastReadSeq: true,
          mutedUntil: true,
          conversation: { select: { deletedAt: true, type: true, title: true } },
        },
      }),
    ]);
    const no = (skip: string) => ({ ok: false as const, skip });
    if (!device || device.userId !== userId) return no("device_gone");
    if (device.disabledAt) return no("device_disabled");
    if (device.user.status !== "ACTIVE") return no("user_inactive");
    if (!membership || membership.conversation.deletedAt) return no("not_member");
    return { ok: true as const, device, membership };
  }
  type TRecipientState = Extract<Awaited<ReturnType<typeof loadRecipient>>, { ok: true }>;

  async function presenceAllows(userId: string): Promise<boolean> {
    const states = await readPresence(deps.redis, deps.redisPrefix, [userId]);
    return presenceAllowsPush(states.get(userId), now(), opts.awayDelayMs);
  }

  async function recordRejection(deviceId: string, reason: string) {
    await db.device.update({
      where: { id: deviceId },
      data: {
        failureCount: { increment: 1 },
        lastFailureAt: new Date(now()),
        lastFailureReason: reason,
      },
    });
  }

  async function disableDevice(platform: TPushPlatform, deviceId: string, reason: string) {
    const { count } = await db.device.updateMany({
      where: { id: deviceId, disabledAt: null },
      data: { disabledAt: new Date(now()), disabledReason: reason },
    });
    if (count) {
      observer.tokenDisabled(platform, reason);
      logger.info({ deviceId, reason }, "push token disabled by the provider's answer");
    }
  }

  /** Send through the device's provider; classified failures come back as values. */
  async function send(
    platform: TPushPlatform,
    content: TPushContent,
    token: string,
  ): Promise<TSendFailure | null> {
    const provider = deps.providers[platform];
    const t0 = performance.now();
    try {
      await provider.send(content, token);
      observer.sent(platform, content.kind, (performance.now() - t0) / 1000);
      return null;
    } catch (err) {
      const failure =
        err instanceof PushSendError
          ? err.failure
          : { disposition: "retry" as const, reason: `${platform}:unexpected` };
      observer.failed(platform, failure.reason, (performance.now() - t0) / 1000);
      if (!(err instanceof PushSendError)) logger.warn({ err }, "unexpected push send error");
      return failure;
    }
  }

  /** A message push to one device, after the re-checks: send, mark, and catch a read that raced it. */
  async function pushMessage(
    job: Job,
    r: TRecipientState,
    msg: StoredMessage,
    pushId: string,
  ): Promise<TJobOutcome> {
    const { device, membership } = r;
    const platform = PLATFORM[device.platform];
    if (!deps.providers[platform].enabled) return deadLetter(job, `${platform}:not_configured`);
    const [badge, sender] = await Promise.all([
      totalUnread(device.userId),
      db.user.findUnique({ where: { id: msg.senderId }, select: { name: true } }),
    ]);
    const content: TPushContent = {
      kind: "message",
      pushId,
      preview: previewFromDb(device.user.pushPreview),
      conversationId: msg.conversationId,
      conversationType: membership.conversation.type,
      conversationTitle: membership.conversation.title,
      senderName: sender?.name ?? "Someone",
      body: msg.body,
      messageId: msg.id,
      seq: msg.seq,
      badge,
    };
    const failure = await send(platform, content, device.token);
    if (failure) return handleFailure(job, platform, device.id, failure);

    await Promise.all([
      redis.set(keys.sent(pushId), now(), "EX", SENT_MARKER_TTL_SECONDS),
      redis.relayPushRaise(
        keys.shown(device.userId, msg.conversationId),
        device.id,
        msg.seq,
        SHOWN_TTL_SECONDS,
      ),
    ]);
    if (device.failureCount > 0)
      await db.device.update({ where: { id: device.id }, data: { failureCount: 0 } });
    // A read that landed while we were sending found nothing to clear yet: clear now.
    const after = await db.membership.findUnique({
      where: {
        conversationId_userId: { conversationId: msg.conversationId, userId: device.userId },
      },
      select: { lastReadSeq: true },
    });
    if (after && Number(after.lastReadSeq) >= msg.seq) {
      const readSeq = Number(after.lastReadSeq);
      await queue.add(
        "clear",
        {
          userId: device.userId,
          conversationId: msg.conversationId,
          readSeq,
          deviceIds: [device.id],
        },
        {
          ...PUSH_JOB_DEFAULTS,
          jobId: jobIds.clear(device.userId, msg.conversationId, readSeq, `.p${device.id}`),
        },
      );
      observer.queued("clear", 1);
    }
    return { outcome: "sent", platform, pushes: 1 };
  }

  async function handleFailure(
    job: Job,
    platform: TPushPlatform,
    deviceId: string,
    failure: TSendFailure,
  ): Promise<TJobOutcome> {
    switch (failure.disposition) {
      case "disable":
        await disableDevice(platform, deviceId, failure.reason);
        return { outcome: "token_disabled", reason: failure.reason };
      case "reject":
        await recordRejection(deviceId, failure.reason);
        return { outcome: "rejected", reason: failure.reason };
      case "retry":
        if (job.attemptsMade + 1 >= opts.maxAttempts)
          await recordRejection(deviceId, failure.reason);
        return retryOrDeadLetter(job, failure);
    }
  }

  // ------------------------------------------------------------------ jobs

  /** The message, allowing for a fan-out that overtook its own Cassandra write. */
  async function messageFor(
    job: Job,
    d: TPushFanoutJob,
  ): Promise<StoredMessage | "missing" | "wait"> {
    for (const waitMs of [0, 20, 50, 100, 200]) {
      if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
      const msg = await messages.findById(d.conversationId, d.messageId);
      if (msg) return msg;
    }
    return now() - job.timestamp < opts.messageGraceMs ? "wait" : "missing";
  }

  async function fanout(job: Job, d: TPushFanoutJob): Promise<TJobOutcome> {
    const conv = await deps.membership.get(d.conversationId);
    if (!conv) return skip("fanout", "conversation_gone");
    const msg = await messageFor(job, d);
    if (msg === "wait")
      return retryOrDeadLetter(job, { disposition: "retry", reason: "message_not_stored_yet" });
    if (msg === "missing") return skip("fanout", "message_gone");
    if (msg.deleted) return skip("fanout", "deleted");

    const others = conv.members.filter((m) => m.userId !== d.senderId).map((m) => m.userId);
    const presence = await readPresence(deps.redis, deps.redisPrefix, others);
    const { recipients, skipped } = selectRecipients({
      members: conv.members,
      senderId: d.senderId,
      mentionedUserIds: d.mentionedUserIds,
      presence,
      nowMs: now(),
      policy: opts,
    });
    const skippedCounts: Record<string, number> = {};
    for (const s of skipped) skippedCounts[s.reason] = (skippedCounts[s.reason] ?? 0) + 1;
    const byUser = new Map(recipients.map((r) => [r.userId, r]));
    const devices = byUser.size
      ? await db.device.findMany({
          where: {
            userId: { in: [...byUser.keys()] },
            disabledAt: null,
            user: { status: "ACTIVE" },
          },
          select: { id: true, userId: true },
        })
      : [];
    if (devices.length) {
      await queue.addBulk(
        devices.map((dev) => {
          const r = byUser.get(dev.userId)!;
          const data: TPushDeliverJob = {
            messageId: d.messageId,
            conversationId: d.conversationId,
            seq: d.seq,
            userId: dev.userId,
            deviceId: dev.id,
            mentioned: r.mentioned,
          };
          return {
            name: "deliver",
            data,
            opts: {
              ...PUSH_JOB_DEFAULTS,
              jobId: jobIds.deliver(d.messageId, dev.id),
              delay: r.delayMs,
            },
          };
        }),
      );
      observer.queued("deliver", devices.length);
    }
    return { outcome: "fanned_out", deliveries: devices.length, skipped: skippedCounts };
  }

  async function deliver(job: Job, d: TPushDeliverJob): Promise<TJobOutcome> {
    const pushId = jobIds.deliver(d.messageId, d.deviceId);
    if (await deps.redis.exists(keys.sent(pushId))) return skip("deliver", "duplicate");
    const r = await loadRecipient(d.userId, d.deviceId, d.conversationId);
    if (!r.ok) return skip("deliver", r.skip);
    if (Number(r.membership.lastReadSeq) >= d.seq) return skip("deliver", "read");
    const muted = isMuted(r.membership.mutedUntil?.toISOString() ?? null, now());
    if (muted && !(d.mentioned && opts.mentionsBypassMute)) return skip("deliver", "muted");
    const msg = await messages.findById(d.conversationId, d.messageId);
    if (!msg) return skip("deliver", "message_gone");
    if (msg.deleted) return skip("deliver", "deleted");
    if (!(await presenceAllows(d.userId))) return skip("deliver", "online");

    const [open, openedMs, remainingMs] = await redis.relayPushGate(
      keys.window(d.userId, d.deviceId, d.conversationId),
      pushId,
      now(),
      opts.collapseWindowMs,
    );
    if (open !== 1) {
      const windowOpenedMs = Number(openedMs);
      const trail: TPushTrailJob = {
        conversationId: d.conversationId,
        userId: d.userId,
        deviceId: d.deviceId,
        windowOpenedMs,
      };
      await queue.add("trail", trail, {
        ...PUSH_JOB_DEFAULTS,
        jobId: jobIds.trail(d.deviceId, d.conversationId, windowOpenedMs),
        delay: Math.max(0, remainingMs),
      });
      observer.queued("trail", 1);
      return skip("deliver", "collapsed");
    }
    return pushMessage(job, r, msg, pushId);
  }

  async function trail(job: Job, d: TPushTrailJob): Promise<TJobOutcome> {
    const pushId = jobIds.trail(d.deviceId, d.conversationId, d.windowOpenedMs);
    if (await deps.redis.exists(keys.sent(pushId))) return skip("trail", "duplicate");
    const r = await loadRecipient(d.userId, d.deviceId, d.conversationId);
    if (!r.ok) return skip("trail", r.skip);
    if (isMuted(r.membership.mutedUntil?.toISOString() ?? null, now()))
      return skip("trail", "muted");
    const [shown, page] = await Promise.all([
      deps.redis.hget(keys.shown(d.userId, d.conversationId), d.deviceId),
      messages.page(d.conversationId, { limit: 20 }),
    ]);
    const readSeq = Number(r.membership.lastReadSeq);
    const shownSeq = Number(shown ?? 0);
    const latest = [...page.messages]
      .reverse()
      .find((m) => !m.deleted && m.senderId !== d.userId && m.seq > readSeq && m.seq > shownSeq);
    if (!latest) return skip("trail", "nothing_new");
    if (!(await presenceAllows(d.userId))) return skip("trail", "online");
    // This push opens the next window: messages during it collapse into the next trail.
    await deps.redis.set(
      keys.window(d.userId, d.deviceId, d.conversationId),
      `${now()}|${pushId}`,
      "PX",
      opts.collapseWindowMs,
    );
    return pushMessage(job, r, latest, pushId);
  }

  async function clear(job: Job, d: TPushClearJob): Promise<TJobOutcome> {
    const shownKey = keys.shown(d.userId, d.conversationId);
    const shown = await deps.redis.hgetall(shownKey);
    const wanted = d.deviceIds ? new Set(d.deviceIds) : null;
    const targets = Object.entries(shown)
      .filter(([id, seq]) => Number(seq) <= d.readSeq && (!wanted || wanted.has(id)))
      .map(([id]) => id);
    if (!targets.length) return skip("clear", "nothing_to_clear");
    const devices = await db.device.findMany({
      where: { id: { in: targets }, userId: d.userId, disabledAt: null },
    });
    for (const id of targets)
      if (!devices.some((dev) => dev.id === id))
        await redis.relayPushForget(shownKey, id, d.readSeq);
    if (!devices.length) return skip("clear", "device_gone");
    const badge = await totalUnread(d.userId);
    const base = jobIds.clear(d.userId, d.conversationId, d.readSeq);
    let pushes = 0;
    const retry: TSendFailure[] = [];
    for (const dev of devices) {
      const platform = PLATFORM[dev.platform];
      const pushId = `${base}.${dev.id}`;
      if (!(await deps.redis.exists(keys.sent(pushId)))) {
        if (!deps.providers[platform].enabled) {
          retry.push({ disposition: "retry", reason: `${platform}:not_configured` });
          continue;
        }
        const failure = await send(
          platform,
          { kind: "clear", pushId, conversationId: d.conversationId, readSeq: d.readSeq, badge },
          dev.token,
        );
        if (failure?.disposition === "retry") {
          retry.push(failure);
          continue;
        }
        if (failure?.disposition === "disable")
          await disableDevice(platform, dev.id, failure.reason);
        else if (failure) await recordRejection(dev.id, failure.reason);
        else {
          await deps.redis.set(keys.sent(pushId), now(), "EX", SENT_MARKER_TTL_SECONDS);
          pushes++;
        }
      }
      await redis.relayPushForget(shownKey, dev.id, d.readSeq);
    }
    if (retry.length) {
      const longest = Math.max(0, ...retry.map((f) => f.retryAfterMs ?? 0));
      return retryOrDeadLetter(job, {
        disposition: "retry",
        reason: retry[0]!.reason,
        ...(longest ? { retryAfterMs: longest } : {}),
      });
    }
    const platform = devices[0] ? PLATFORM[devices[0].platform] : "fcm";
    return { outcome: "sent", platform, pushes };
  }

  return {
    /** The BullMQ processor: validate the job, run it, return its outcome (or throw to retry). */
    async process(job: Job): Promise<TJobOutcome> {
      const name = job.name as TPushJobName;
      const schema = SCHEMAS[name] as z.ZodType | undefined;
      const parsed = schema?.safeParse(job.data);
      if (!schema || !parsed?.success) {
        logger.warn({ jobId: job.id, job: job.name }, "malformed push job");
        return deadLetter(job, "invalid_job");
      }
      switch (name) {
        case "fanout":
          return fanout(job, parsed.data as TPushFanoutJob);
        case "deliver":
          return deliver(job, parsed.data as TPushDeliverJob);
        case "trail":
          return trail(job, parsed.data as TPushTrailJob);
        case "clear":
          return clear(job, parsed.data as TPushClearJob);
      }
    },
  };
}

export type PushProcessor = ReturnType<typeof createPushProcessor>;
