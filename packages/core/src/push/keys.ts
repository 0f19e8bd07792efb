// The push pipeline's Redis names: the BullMQ queues (under `<REDIS_PREFIX>bull`,
// so environments sharing a Redis never see each other's jobs) and the
// worker's own bookkeeping keys. Keys of one user share a {hash tag}.

/** The one work queue (fan-out, deliveries, collapse trails, clears). */
export const PUSH_QUEUE = "push";
/** Jobs that used up their attempts: listed and replayed by an operator (npm run push:dlq). */
export const PUSH_DEAD_LETTER_QUEUE = "push-dead";

/** BullMQ's key prefix for an environment. */
export const pushQueuePrefix = (redisPrefix: string) => `${redisPrefix}bull`;

export function pushKeys(redisPrefix: string) {
  const p = `${redisPrefix}push:`;
  return {
    /** Set once a push has been handed to its provider (value: when): a retried or replayed job never sends twice. */
    sent: (pushId: string) => `${p}sent:${pushId}`,
    /** A device's open collapse window in a conversation (value: the push that opened it; PX = the window). */
    window: (userId: string, deviceId: string, conversationId: string) =>
      `${p}win:{${userId}}:${deviceId}:${conversationId}`,
    /** Hash deviceId → highest seq whose notification that device shows for the conversation (cleared on read). */
    shown: (userId: string, conversationId: string) => `${p}shown:{${userId}}:${conversationId}`,
  };
}

export type PushKeys = ReturnType<typeof pushKeys>;

/** How long "sent" markers outlive a push: longer than any retry or replay window that matters. */
export const SENT_MARKER_TTL_SECONDS = 24 * 3600;
/** A notification not cleared after this long is assumed dismissed on the device. */
export const SHOWN_TTL_SECONDS = 7 * 24 * 3600;

// Job ids: deterministic, so enqueueing the same thing twice adds one job
// (BullMQ ignores an add whose id exists). ':' is reserved by BullMQ.
export const jobIds = {
  fanout: (messageId: string) => `f.${messageId}`,
  deliver: (messageId: string, deviceId: string) => `d.${messageId}.${deviceId}`,
  trail: (deviceId: string, conversationId: string, windowOpenedMs: number) =>
    `t.${deviceId}.${conversationId}.${windowOpenedMs}`,
  clear: (userId: string, conversationId: string, readSeq: number, suffix = "") =>
    `c.${userId}.${conversationId}.${readSeq}${suffix}`,
};
