// Every Redis key Relay writes, in one place. `prefix` is REDIS_PREFIX
// (e.g. "relay:dev:"), so environments sharing a Redis never collide.
// Keys of one conversation share a {hash tag} so they live on one Redis
// Cluster slot (the send path touches several of them at once).
export function redisKeys(prefix: string) {
  return {
    /** JSON member list cache of a conversation. */
    members: (conversationId: string) => `${prefix}conv:{${conversationId}}:members`,
    /** Last reserved seq of a conversation (INCR). */
    seq: (conversationId: string) => `${prefix}conv:{${conversationId}}:seq`,
    /** Idempotency record of a send: sender + clientMsgId → reservation/result. */
    dedup: (conversationId: string, senderId: string, clientMsgId: string) =>
      `${prefix}conv:{${conversationId}}:dedup:${senderId}:${clientMsgId}`,
    /** When Redis started remembering this conversation's sends (ms; see messages/sequencer.ts). */
    dedupSince: (conversationId: string) => `${prefix}conv:{${conversationId}}:dedup-since`,
    /** Key prefix of one rate limiter (rate-limiter-flexible appends `:<key>`). */
    rateLimit: (name: string) => `${prefix}rate:${name}`,
    /** Deny-list entry of a user whose sessions were revoked (moderation/deny-list.ts). */
    deny: (userId: string) => `${prefix}deny:{${userId}}`,
    /** Channel on which a user id is published whenever their deny entry changes. */
    denyChannel: () => `${prefix}deny`,
    /** Channel on which each signed-out session is published (JSON TSessionDenyEntry). */
    sessionDenyChannel: () => `${prefix}deny:session`,
    /** A signed-out session (auth/sessions.ts), kept until its cookie could expire. */
    revokedSession: (sessionId: string) => `${prefix}session:revoked:{${sessionId}}`,
    /** Present while the revokedSession keys mirror Postgres (gone after a flush: rebuilt). */
    revokedSessionsLoaded: () => `${prefix}session:revoked-loaded`,
    /** A live realtime node's registry entry (ops/node-registry.ts). */
    node: (nodeId: string) => `${prefix}node:${nodeId}`,
    /** Set of registered realtime node ids. */
    nodes: () => `${prefix}nodes`,
    /** A short-lived lock so one process of many runs a periodic job. */
    lock: (name: string) => `${prefix}lock:${name}`,
    /** Socket.IO adapter channel prefix. */
    adapter: () => `${prefix}socket.io`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
