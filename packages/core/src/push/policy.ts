// The push pipeline's decisions as pure functions (unit-tested in
// policy.test.ts): who gets a push when a message is stored, whether
// presence still allows one when it is sent, how long to wait before a retry,
// and what a provider's answer means for the token.
import type { TMemberRef } from "../conversations/membership";
import type { TPresenceState } from "../presence/presence-state";

// ------------------------------------------------------------- recipients

export type TRecipientSkip = "sender" | "muted" | "online";

export interface TRecipient {
  userId: string;
  /** 0, or how much longer an away user must stay away before the push is sent. */
  delayMs: number;
  mentioned: boolean;
}

export interface TRecipientPolicy {
  /** An away user is pushed once away this long (PUSH_AWAY_DELAY_S). */
  awayDelayMs: number;
  /** Whether a mention reaches a member who muted the conversation (mentions do not exist yet). */
  mentionsBypassMute: boolean;
}

export function isMuted(mutedUntil: string | null, nowMs: number): boolean {
  return mutedUntil !== null && Date.parse(mutedUntil) > nowMs;
}

/**
 * The members of a conversation who get a push for a new message: never the
 * sender; not a member who muted it (unless mentioned and mentions bypass
 * mute); not one with a live, active socket. An away user is pushed when away
 * for `awayDelayMs` (now, or after the rest of that time); offline at once.
 * Devices are looked up afterwards, for the chosen members only.
 */
export function selectRecipients(input: {
  members: readonly TMemberRef[];
  senderId: string;
  mentionedUserIds: readonly string[];
  presence: ReadonlyMap<string, TPresenceState>;
  nowMs: number;
  policy: TRecipientPolicy;
}): { recipients: TRecipient[]; skipped: Array<{ userId: string; reason: TRecipientSkip }> } {
  const mentioned = new Set(input.mentionedUserIds);
  const recipients: TRecipient[] = [];
  const skipped: Array<{ userId: string; reason: TRecipientSkip }> = [];
  for (const m of input.members) {
    if (m.userId === input.senderId) {
      skipped.push({ userId: m.userId, reason: "sender" });
      continue;
    }
    const isMentioned = mentioned.has(m.userId);
    if (isMuted(m.mutedUntil, input.nowMs) && !(isMentioned && input.policy.mentionsBypassMute)) {
      skipped.push({ userId: m.userId, reason: "muted" });
      continue;
    }
    const state = input.presence.get(m.userId) ?? { status: "offline", sinceMs: null };
    if (state.status === "online") {
      skipped.push({ userId: m.userId, reason: "online" });
      continue;
    }
    let delayMs = 0;
    if (state.status === "away") {
      // Unknown "since" counts as "just now": wait the whole delay.
      const awayFor = input.nowMs - (state.sinceMs ?? input.nowMs);
      delayMs = Math.max(0, input.policy.awayDelayMs - Math.max(0, awayFor));
    }
    recipients.push({ userId: m.userId, delayMs, mentioned: isMentioned });
  }
  return { recipients, skipped };
}

/**
 * Just before sending: is the user still without an active socket? Online
 * never; offline always; away once away for the delay (a job delayed for an
 * away user whose hash has no change time has waited that long already).
 */
export function presenceAllowsPush(
  state: TPresenceState | undefined,
  nowMs: number,
  awayDelayMs: number,
): boolean {
  if (!state || state.status === "offline") return true;
  if (state.status === "online") return false;
  if (state.sinceMs === null) return true;
  // Timers fire a little early or late; a quarter second either way is the same push.
  return nowMs - state.sinceMs >= awayDelayMs - 250;
}

// ------------------------------------------------------------------ retries

export interface TBackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** The longest Retry-After honoured (a provider asking for more is waited on in several attempts). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Delay before retry number `attemptsMade` (1 after the first failure):
 * exponential (base · 2^(n−1), capped at maxMs) with "equal jitter" (a
 * random point in the upper half, so workers retrying together spread out but
 * never retry sooner than half the step), and never sooner than the
 * provider's Retry-After.
 */
export function retryDelayMs(
  attemptsMade: number,
  policy: TBackoffPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, attemptsMade);
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 30));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.max(jittered, floor);
}

/** Retry-After (seconds or an HTTP date) → milliseconds from now; undefined when absent or unusable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

// ------------------------------------------------------------ token hygiene

/**
 * disable: the token is dead (precise provider codes only) → Device.disabledAt;
 * reject: this push was refused but the token may be fine → failure recorded, no retry;
 * retry: transient (throttling, provider or network trouble) → backoff, then the DLQ.
 */
export type TSendDisposition = "disable" | "reject" | "retry";

export interface TSendFailure {
  disposition: TSendDisposition;
  /** `<provider>:<code>`, e.g. "fcm:UNREGISTERED", "apns:BadDeviceToken", "fcm:network". */
  reason: string;
  retryAfterMs?: number;
}

/** The facts of an FCM HTTP v1 failure, as firebase-admin reports them. */
export interface TFcmFailureFacts {
  /** HTTP status, when the server answered. */
  status?: number;
  /** The FcmError detail (`details[].errorCode`), else the canonical `error.status`. */
  serverCode?: string;
  /** firebase-admin's own code (e.g. "messaging/invalid-payload" for a refusal before sending). */
  clientCode?: string;
  retryAfterMs?: number;
}

/** FCM tokens are disabled only on these server codes (not on NOT_FOUND or PERMISSION_DENIED, which can mean a wrong project). */
const FCM_DEAD_TOKEN_CODES: ReadonlySet<string> = new Set(["UNREGISTERED", "SENDER_ID_MISMATCH"]);

export function classifyFcmFailure(f: TFcmFailureFacts): TSendFailure {
  const code = f.serverCode ?? (f.status ? `HTTP_${f.status}` : undefined);
  if (f.serverCode && FCM_DEAD_TOKEN_CODES.has(f.serverCode))
    return { disposition: "disable", reason: `fcm:${f.serverCode}` };
  if (f.status === undefined) {
    // Refused by firebase-admin before sending (a malformed message) vs. no answer at all.
    const client = f.clientCode?.replace(/^messaging\//, "");
    const local = new Set(["invalid-argument", "invalid-payload", "payload-size-limit-exceeded"]);
    if (client && local.has(client)) return { disposition: "reject", reason: `fcm:${client}` };
    return { disposition: "retry", reason: `fcm:${client ?? "network"}` };
  }
  if (f.status === 429 || f.status >= 500)
    return {
      disposition: "retry",
      reason: `fcm:${code}`,
      ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
    };
  return { disposition: "reject", reason: `fcm:${code}` };
}

/** APNs reasons that mean the token is dead for this app (410 is always "Unregistered"). */
const APNS_DEAD_TOKEN_REASONS: ReadonlySet<string> = new Set([
  "Unregistered",
  "BadDeviceToken",
  "DeviceTokenNotForTopic",
]);

export interface TApnsFailureFacts {
  /** HTTP status; undefined when no answer came (network). */
  status?: number;
  reason?: string;
  retryAfterMs?: number;
}

export function classifyApnsFailure(f: TApnsFailureFacts): TSendFailure {
  const reason = f.reason ?? (f.status ? `HTTP_${f.status}` : "network");
  if (f.status === 410 || (f.reason && APNS_DEAD_TOKEN_REASONS.has(f.reason)))
    return { disposition: "disable", reason: `apns:${f.status === 410 ? "Unregistered" : reason}` };
  const retryAfter = f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {};
  // No answer, throttling, provider trouble, or our JWT expired (apns2 signs a new one): retry.
  if (
    f.status === undefined ||
    f.status === 429 ||
    f.status >= 500 ||
    f.reason === "ExpiredProviderToken"
  )
    return { disposition: "retry", reason: `apns:${reason}`, ...retryAfter };
  return { disposition: "reject", reason: `apns:${reason}` };
}
