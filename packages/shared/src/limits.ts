/**
 * Protocol limits shared by every app. Servers enforce them; clients use them
 * to validate early and to size UI (counters, pagination).
 * String lengths are JavaScript string lengths (UTF-16 code units).
 */
export const LIMITS = {
  bodyMaxChars: 4000,
  groupMaxMembers: 500,
  historyPageMax: 100,
  historyPageDefault: 50,
  sendRatePerSecond: 10,
  sendBurst: 20,
  watchMax: 200,
  titleMaxChars: 100,
  nameMaxChars: 80,
  passwordMinChars: 8,
  passwordMaxChars: 200,
  clientMsgIdMaxChars: 64,
  searchQueryMaxChars: 100,
  syncMaxConversations: 500,
  typingThrottleMs: 2000,
  dedupTtlSeconds: 86_400,
  /** Unread is counted exactly up to this; a conversation with more shows this number ("999+"). */
  unreadCountMax: 999,
  userIdsPerRequestMax: 100,
  reportReasonMaxChars: 1000,
  moderationReasonMaxChars: 500,
} as const;

export type TLimits = typeof LIMITS;

/** Version of the public contract (REST v1 + realtime events). */
export const PROTOCOL_VERSION = 1;
