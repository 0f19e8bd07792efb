// What a push shows and how each provider carries it (pure; payload.test.ts).
//
// One provider-neutral `TPushContent` per push, then one builder per provider:
// - collapse per conversation: FCM `android.collapseKey` + notification `tag`,
//   APNs `apns-collapse-id` + `thread-id` (a newer push replaces the older
//   notification instead of stacking);
// - badge = the user's total unread;
// - privacy: "full" shows the text, "sender" only who wrote, "id_only" no
//   content at all (FCM: a data-only message the app renders itself; APNs:
//   a generic alert with mutable-content so the app's extension fills it in);
// - "clear": silent (FCM data-only, normal priority; APNs background push)
//   telling the app to remove the conversation's notification and set the badge.
// Both providers refuse payloads over 4 KiB: the preview is shortened to fit,
// and anything that still cannot fit is refused here, before sending.
import type { NotificationOptions } from "apns2";
import type { TokenMessage } from "firebase-admin/messaging";
import type { TPushPreview } from "@relay/shared/schemas";

/** FCM and APNs both cap a notification payload at 4096 bytes. */
export const PUSH_PAYLOAD_MAX_BYTES = 4096;
/** Longest preview of a message's text (a lock screen shows a few lines). */
export const PUSH_PREVIEW_MAX_CHARS = 500;

export type TPushContent =
  | {
      kind: "message";
      /** Unique per push (job id): lets an app drop a duplicate delivery. */
      pushId: string;
      preview: TPushPreview;
      conversationId: string;
      conversationType: "DIRECT" | "GROUP";
      conversationTitle: string | null;
      senderName: string;
      body: string;
      messageId: string;
      seq: number;
      badge: number;
    }
  | {
      kind: "clear";
      pushId: string;
      conversationId: string;
      readSeq: number;
      badge: number;
    };

export class PushPayloadError extends Error {
  override readonly name = "PushPayloadError";
}

const ELLIPSIS = "…";

/** At most `max` code points, with an ellipsis when cut. */
export function truncateText(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, Math.max(0, max - 1)).join("") + ELLIPSIS;
}

/** Title and body per privacy mode; null for a silent push. */
export function notificationText(c: TPushContent): { title: string; body: string } | null {
  if (c.kind === "clear") return null;
  const group = c.conversationType === "GROUP";
  const groupTitle = c.conversationTitle ?? "Group";
  switch (c.preview) {
    case "full":
      return group
        ? { title: groupTitle, body: `${c.senderName}: ${c.body}` }
        : { title: c.senderName, body: c.body };
    case "sender":
      return group
        ? { title: groupTitle, body: `${c.senderName} sent a message` }
        : { title: c.senderName, body: "New message" };
    case "id_only":
      return { title: "Relay", body: "New message" };
  }
}

/** Ids every push carries (FCM data values must be strings). */
function dataOf(c: TPushContent): Record<string, string> {
  return c.kind === "clear"
    ? {
        type: "clear",
        pushId: c.pushId,
        conversationId: c.conversationId,
        readSeq: String(c.readSeq),
        badge: String(c.badge),
      }
    : {
        type: "message",
        pushId: c.pushId,
        conversationId: c.conversationId,
        messageId: c.messageId,
        seq: String(c.seq),
        badge: String(c.badge),
      };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

/**
 * Builds with the longest preview that keeps `size(build(text))` within the
 * limit (binary search over code points); refuses when even an empty preview
 * does not fit.
 */
function fit<T>(c: TPushContent, build: (c: TPushContent) => T, size: (p: T) => number): T {
  if (c.kind === "clear" || c.preview !== "full") {
    const built = build(c);
    if (size(built) > PUSH_PAYLOAD_MAX_BYTES)
      throw new PushPayloadError(`push payload of ${size(built)} bytes exceeds 4096`);
    return built;
  }
  const full = truncateText(c.body, PUSH_PREVIEW_MAX_CHARS);
  const withBody = (body: string) => build({ ...c, body });
  let best = withBody(full);
  if (size(best) <= PUSH_PAYLOAD_MAX_BYTES) return best;
  const points = Array.from(full);
  let lo = 0;
  let hi = points.length - 1;
  best = withBody(ELLIPSIS);
  if (size(best) > PUSH_PAYLOAD_MAX_BYTES)
    throw new PushPayloadError("push payload exceeds 4096 bytes even without a preview");
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = withBody(points.slice(0, mid).join("") + ELLIPSIS);
    if (size(candidate) <= PUSH_PAYLOAD_MAX_BYTES) {
      best = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

// --------------------------------------------------------------------- FCM

function fcmMessage(c: TPushContent, token: string): TokenMessage {
  const data = dataOf(c);
  if (c.kind === "clear")
    return {
      token,
      data,
      android: { priority: "normal", collapseKey: `clear-${c.conversationId}` },
      apns: {
        headers: { "apns-push-type": "background", "apns-priority": "5" },
        payload: { aps: { contentAvailable: true, badge: c.badge } },
      },
    };
  const text = notificationText(c)!;
  if (c.preview === "id_only")
    return {
      token,
      data,
      android: { priority: "high", collapseKey: c.conversationId },
      apns: {
        headers: { "apns-collapse-id": c.conversationId },
        payload: {
          aps: { alert: text, badge: c.badge, threadId: c.conversationId, mutableContent: true },
        },
      },
    };
  return {
    token,
    notification: text,
    data,
    android: {
      priority: "high",
      collapseKey: c.conversationId,
      notification: { tag: c.conversationId, notificationCount: c.badge },
    },
    apns: {
      headers: { "apns-collapse-id": c.conversationId },
      payload: { aps: { badge: c.badge, threadId: c.conversationId, sound: "default" } },
    },
  };
}

/** The FCM HTTP v1 message (`messages:send` body's `message`), within 4 KiB without the token. */
export function buildFcmMessage(c: TPushContent, token: string): TokenMessage {
  return fit(
    c,
    (x) => fcmMessage(x, token),
    (m) => bytes({ ...m, token: "" }),
  );
}

// -------------------------------------------------------------------- APNs

export interface TApnsPush {
  options: NotificationOptions;
  /** The JSON body apns2 will send (`{aps, relay}`), for the size check and tests. */
  body: Record<string, unknown>;
}

function apnsPush(c: TPushContent): TApnsPush {
  const relay = dataOf(c);
  if (c.kind === "clear") {
    const aps = { "content-available": 1, badge: c.badge };
    return {
      // apns2 merges `aps` with the fields it sets itself; everything is given here.
      options: { type: "background", priority: 5, aps, data: { relay } },
      body: { aps, relay },
    };
  }
  const text = notificationText(c)!;
  const aps: Record<string, unknown> = {
    alert: text,
    badge: c.badge,
    "thread-id": c.conversationId,
    sound: "default",
  };
  if (c.preview === "id_only") aps["mutable-content"] = 1;
  return {
    options: {
      type: "alert",
      priority: 10,
      collapseId: c.conversationId,
      aps,
      data: { relay },
    },
    body: { aps, relay },
  };
}

/** The APNs request (headers through apns2's options, JSON body ≤ 4 KiB). */
export function buildApnsPush(c: TPushContent): TApnsPush {
  return fit(c, apnsPush, (p) => bytes(p.body));
}
