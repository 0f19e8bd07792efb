// The push decisions without I/O: recipients, presence at send time, backoff,
// Retry-After, and what each provider answer means for the token.
import { describe, expect, it } from "vitest";
import type { TMemberRef } from "../conversations/membership";
import type { TPresenceState } from "../presence/presence-state";
import {
  classifyApnsFailure,
  classifyFcmFailure,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  presenceAllowsPush,
  retryDelayMs,
  selectRecipients,
} from "./policy";

const NOW = Date.parse("2026-12-02T12:00:00Z");
const member = (userId: string, mutedUntil: string | null = null): TMemberRef => ({
  userId,
  role: "MEMBER",
  mutedUntil,
});
const policy = { awayDelayMs: 120_000, mentionsBypassMute: true };

describe("selectRecipients", () => {
  const presence = new Map<string, TPresenceState>([
    ["online", { status: "online", sinceMs: NOW - 5_000 }],
    ["away-long", { status: "away", sinceMs: NOW - 600_000 }],
    ["away-short", { status: "away", sinceMs: NOW - 30_000 }],
    ["away-unknown", { status: "away", sinceMs: null }],
    ["offline", { status: "offline", sinceMs: NOW - 1_000 }],
  ]);
  const run = (members: TMemberRef[], mentioned: string[] = [], p = policy) =>
    selectRecipients({
      members,
      senderId: "sender",
      mentionedUserIds: mentioned,
      presence,
      nowMs: NOW,
      policy: p,
    });

  it("never pushes the sender; offline and long-away members at once", () => {
    const { recipients, skipped } = run([
      member("sender"),
      member("offline"),
      member("away-long"),
      member("nobody-knows"),
    ]);
    expect(recipients).toEqual([
      { userId: "offline", delayMs: 0, mentioned: false },
      { userId: "away-long", delayMs: 0, mentioned: false },
      // No presence at all: never connected, so offline.
      { userId: "nobody-knows", delayMs: 0, mentioned: false },
    ]);
    expect(skipped).toEqual([{ userId: "sender", reason: "sender" }]);
  });

  it("skips online members; delays a recently away one by the rest of the away delay", () => {
    const { recipients, skipped } = run([
      member("online"),
      member("away-short"),
      member("away-unknown"),
    ]);
    expect(skipped).toEqual([{ userId: "online", reason: "online" }]);
    expect(recipients).toEqual([
      { userId: "away-short", delayMs: 90_000, mentioned: false },
      { userId: "away-unknown", delayMs: 120_000, mentioned: false },
    ]);
  });

  it("skips a muted member, unless mentioned and mentions bypass mute; an expired mute is no mute", () => {
    const future = new Date(NOW + 60_000).toISOString();
    const past = new Date(NOW - 60_000).toISOString();
    const members = [member("offline", future), member("away-long", past)];
    expect(run(members).skipped).toEqual([{ userId: "offline", reason: "muted" }]);
    expect(run(members, ["offline"]).recipients.map((r) => [r.userId, r.mentioned])).toEqual([
      ["offline", true],
      ["away-long", false],
    ]);
    expect(run(members, ["offline"], { ...policy, mentionsBypassMute: false }).skipped).toEqual([
      { userId: "offline", reason: "muted" },
    ]);
  });
});

describe("presenceAllowsPush (just before sending)", () => {
  it("online never, offline always, away once away for the delay", () => {
    expect(presenceAllowsPush({ status: "online", sinceMs: NOW - 999_999 }, NOW, 120_000)).toBe(
      false,
    );
    expect(presenceAllowsPush({ status: "offline", sinceMs: NOW }, NOW, 120_000)).toBe(true);
    expect(presenceAllowsPush(undefined, NOW, 120_000)).toBe(true);
    expect(presenceAllowsPush({ status: "away", sinceMs: NOW - 120_000 }, NOW, 120_000)).toBe(true);
    expect(presenceAllowsPush({ status: "away", sinceMs: NOW - 119_900 }, NOW, 120_000)).toBe(true);
    expect(presenceAllowsPush({ status: "away", sinceMs: NOW - 60_000 }, NOW, 120_000)).toBe(false);
    expect(presenceAllowsPush({ status: "away", sinceMs: null }, NOW, 120_000)).toBe(true);
  });
});

describe("retryDelayMs", () => {
  const backoff = { baseMs: 1000, maxMs: 60_000 };
  it("doubles per attempt with equal jitter (upper half of the step), capped", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, backoff, undefined, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, backoff, undefined, () => 1))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(retryDelayMs(20, backoff, undefined, () => 1)).toBe(60_000);
    expect(retryDelayMs(20, backoff, undefined, () => 0)).toBe(30_000);
  });
  it("never retries sooner than Retry-After (up to an hour)", () => {
    expect(retryDelayMs(1, backoff, 30_000, () => 1)).toBe(30_000);
    expect(retryDelayMs(5, backoff, 100, () => 1)).toBe(16_000);
    expect(retryDelayMs(1, backoff, 10 * MAX_RETRY_AFTER_MS, () => 0)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates; ignores garbage", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW + 5_000).toUTCString(), NOW)).toBe(5_000);
    expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe("token hygiene: FCM", () => {
  it("disables only on UNREGISTERED and SENDER_ID_MISMATCH", () => {
    expect(classifyFcmFailure({ status: 404, serverCode: "UNREGISTERED" })).toEqual({
      disposition: "disable",
      reason: "fcm:UNREGISTERED",
    });
    expect(classifyFcmFailure({ status: 403, serverCode: "SENDER_ID_MISMATCH" }).disposition).toBe(
      "disable",
    );
    // NOT_FOUND without the FcmError detail can be a wrong project; PERMISSION_DENIED an IAM problem.
    expect(classifyFcmFailure({ status: 404, serverCode: "NOT_FOUND" }).disposition).toBe("reject");
    expect(classifyFcmFailure({ status: 403, serverCode: "PERMISSION_DENIED" }).disposition).toBe(
      "reject",
    );
  });
  it("keeps the token on INVALID_ARGUMENT and other 4xx; retries 429/5xx and no answer", () => {
    expect(classifyFcmFailure({ status: 400, serverCode: "INVALID_ARGUMENT" })).toEqual({
      disposition: "reject",
      reason: "fcm:INVALID_ARGUMENT",
    });
    expect(
      classifyFcmFailure({ status: 401, serverCode: "THIRD_PARTY_AUTH_ERROR" }).disposition,
    ).toBe("reject");
    expect(
      classifyFcmFailure({ status: 429, serverCode: "QUOTA_EXCEEDED", retryAfterMs: 9000 }),
    ).toEqual({
      disposition: "retry",
      reason: "fcm:QUOTA_EXCEEDED",
      retryAfterMs: 9000,
    });
    expect(classifyFcmFailure({ status: 503, serverCode: "UNAVAILABLE" }).disposition).toBe(
      "retry",
    );
    expect(classifyFcmFailure({ status: 500 }).reason).toBe("fcm:HTTP_500");
    expect(classifyFcmFailure({ clientCode: "app/network-error" })).toEqual({
      disposition: "retry",
      reason: "fcm:app/network-error",
    });
    expect(classifyFcmFailure({ clientCode: "messaging/invalid-payload" })).toEqual({
      disposition: "reject",
      reason: "fcm:invalid-payload",
    });
  });
});

describe("token hygiene: APNs", () => {
  it("disables on 410 Unregistered, BadDeviceToken, DeviceTokenNotForTopic", () => {
    expect(classifyApnsFailure({ status: 410, reason: "Unregistered" })).toEqual({
      disposition: "disable",
      reason: "apns:Unregistered",
    });
    expect(classifyApnsFailure({ status: 410, reason: "ExpiredToken" }).reason).toBe(
      "apns:Unregistered",
    );
    expect(classifyApnsFailure({ status: 400, reason: "BadDeviceToken" }).disposition).toBe(
      "disable",
    );
    expect(classifyApnsFailure({ status: 400, reason: "DeviceTokenNotForTopic" }).disposition).toBe(
      "disable",
    );
  });
  it("keeps the token on other 4xx; retries 429, 5xx, an expired provider token and no answer", () => {
    expect(classifyApnsFailure({ status: 413, reason: "PayloadTooLarge" }).disposition).toBe(
      "reject",
    );
    expect(classifyApnsFailure({ status: 400, reason: "BadTopic" }).disposition).toBe("reject");
    expect(classifyApnsFailure({ status: 403, reason: "InvalidProviderToken" }).disposition).toBe(
      "reject",
    );
    expect(classifyApnsFailure({ status: 403, reason: "ExpiredProviderToken" }).disposition).toBe(
      "retry",
    );
    expect(
      classifyApnsFailure({ status: 429, reason: "TooManyRequests", retryAfterMs: 5 }),
    ).toEqual({
      disposition: "retry",
      reason: "apns:TooManyRequests",
      retryAfterMs: 5,
    });
    expect(classifyApnsFailure({ status: 503, reason: "ServiceUnavailable" }).disposition).toBe(
      "retry",
    );
    expect(classifyApnsFailure({})).toEqual({ disposition: "retry", reason: "apns:network" });
  });
});
