/**
 * Validating client input against the contract: the client→server event
 * names, their payload schemas, and `parsePayload`, which turns zod issues
 * into the ack error envelope. Also the schemas of ack data and of
 * server→client events, for clients, tests and docs/socket-events.md.
 */
import { z } from "zod";
import { AppError, fail, ok } from "./errors";
import type { TAck, TErrorCode } from "./errors";
import type { ClientToServerEvents, ServerToClientEvents, TAckCallback } from "./events";
import { summarizeIssues } from "./issues";
import type { TIssue } from "./issues";
import {
  ZAuthRefreshPayloadSchema,
  ZAuthRefreshResultSchema,
  ZConversationUpdatedEventSchema,
  ZMessageDeletedEventSchema,
  ZMessageDeletePayloadSchema,
  ZMessageEditPayloadSchema,
  ZMessageHistoryPayloadSchema,
  ZMessageHistoryResultSchema,
  ZMessageSchema,
  ZMessageSendPayloadSchema,
  ZMessageSendResultSchema,
  ZPresenceSchema,
  ZPresenceSetPayloadSchema,
  ZPresenceWatchPayloadSchema,
  ZPresenceWatchResultSchema,
  ZReceiptEventSchema,
  ZReceiptPayloadSchema,
  ZReceiptResultSchema,
  ZSessionRevokedEventSchema,
  ZSyncRequiredEventSchema,
  ZSyncPayloadSchema,
  ZSyncResultSchema,
  ZTypingEventSchema,
  ZTypingPayloadSchema,
} from "./schemas";

/** Payload schema of every client→server event; keys and types are checked against ClientToServerEvents. */
export const CLIENT_PAYLOAD_SCHEMAS = {
  "message:send": ZMessageSendPayloadSchema,
  "message:history": ZMessageHistoryPayloadSchema,
  "message:edit": ZMessageEditPayloadSchema,
  "message:delete": ZMessageDeletePayloadSchema,
  "receipt:delivered": ZReceiptPayloadSchema,
  "receipt:read": ZReceiptPayloadSchema,
  "typing:start": ZTypingPayloadSchema,
  "typing:stop": ZTypingPayloadSchema,
  "presence:watch": ZPresenceWatchPayloadSchema,
  "presence:unwatch": ZPresenceWatchPayloadSchema,
  "presence:set": ZPresenceSetPayloadSchema,
  sync: ZSyncPayloadSchema,
  "auth:refresh": ZAuthRefreshPayloadSchema,
} as const satisfies {
  [E in keyof ClientToServerEvents]: z.ZodType<Parameters<ClientToServerEvents[E]>[0]>;
};

export type TClientEventName = keyof typeof CLIENT_PAYLOAD_SCHEMAS;

/**
 * Client events that take an ack. Checked by arity: a one-argument handler is
 * assignable to a two-argument signature, so matching on the ack type alone
 * would count the volatile typing events too.
 */
export type TAckedClientEventName = {
  [E in TClientEventName]: Parameters<ClientToServerEvents[E]> extends [unknown, unknown]
    ? E
    : never;
}[TClientEventName];

/** The ack `data` type of an acked client event. */
export type TClientResult<E extends TAckedClientEventName> =
  Parameters<ClientToServerEvents[E]> extends [unknown, TAckCallback<infer D>] ? D : never;

/** Ack `data` schema of every acked client→server event (typing events have no ack). */
export const CLIENT_RESULT_SCHEMAS = {
  "message:send": ZMessageSendResultSchema,
  "message:history": ZMessageHistoryResultSchema,
  "message:edit": ZMessageSchema,
  "message:delete": ZMessageDeletedEventSchema,
  "receipt:delivered": ZReceiptResultSchema,
  "receipt:read": ZReceiptResultSchema,
  "presence:watch": ZPresenceWatchResultSchema,
  "presence:unwatch": z.null(),
  "presence:set": z.null(),
  sync: ZSyncResultSchema,
  "auth:refresh": ZAuthRefreshResultSchema,
} as const satisfies { [E in TAckedClientEventName]: z.ZodType<TClientResult<E>> };

export type TServerEventName = keyof ServerToClientEvents;

/** Payload schema of every server→client event; keys and types are checked against ServerToClientEvents. */
export const SERVER_EVENT_SCHEMAS = {
  "message:new": ZMessageSchema,
  "message:updated": ZMessageSchema,
  "message:deleted": ZMessageDeletedEventSchema,
  receipt: ZReceiptEventSchema,
  typing: ZTypingEventSchema,
  presence: ZPresenceSchema,
  "conversation:updated": ZConversationUpdatedEventSchema,
  "session:revoked": ZSessionRevokedEventSchema,
  "sync:required": ZSyncRequiredEventSchema,
} as const satisfies {
  [E in TServerEventName]: z.ZodType<Parameters<ServerToClientEvents[E]>[0]>;
};

/** Every known client→server event name; anything else should be rejected. */
export const CLIENT_EVENTS = Object.keys(CLIENT_PAYLOAD_SCHEMAS) as readonly TClientEventName[];

export function isClientEvent(name: unknown): name is TClientEventName {
  return typeof name === "string" && Object.hasOwn(CLIENT_PAYLOAD_SCHEMAS, name);
}

/** The payload schema for a client event, or undefined for an unknown event. */
export function payloadSchemaFor<E extends TClientEventName>(
  event: E,
): (typeof CLIENT_PAYLOAD_SCHEMAS)[E];
export function payloadSchemaFor(
  event: string,
): (typeof CLIENT_PAYLOAD_SCHEMAS)[TClientEventName] | undefined;
export function payloadSchemaFor(event: string) {
  return isClientEvent(event) ? CLIENT_PAYLOAD_SCHEMAS[event] : undefined;
}

/**
 * JSON.parse makes `"__proto__"` an own key; zod's records then drop it
 * silently (and a careless merge would set a prototype). Refuse it anywhere
 * in a payload instead of letting it vanish.
 */
function forbiddenKeyPath(input: unknown, path = "", depth = 0): string | null {
  if (input === null || typeof input !== "object" || depth > 32) return null;
  for (const key of Object.keys(input)) {
    const here = path ? `${path}.${key}` : key;
    if (key === "__proto__") return here;
    const nested = forbiddenKeyPath((input as Record<string, unknown>)[key], here, depth + 1);
    if (nested) return nested;
  }
  return null;
}

function isBodyTooLong(issue: TIssue): boolean {
  return issue.code === "too_big" && issue.origin === "string" && issue.path.at(-1) === "body";
}

/**
 * Validates untrusted input. An over-long `body` is PAYLOAD_TOO_LARGE; every
 * other problem is INVALID_PAYLOAD with a short message naming the field,
 * e.g. "body: too long (max 4000)", "conversationId: invalid uuid", "unknown key: foo".
 */
export function parsePayload<S extends z.ZodType>(schema: S, input: unknown): TAck<z.output<S>> {
  const forbidden = forbiddenKeyPath(input);
  if (forbidden) return fail("INVALID_PAYLOAD", `forbidden key: ${forbidden}`);
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return ok(result.data);
  const issues = result.error.issues;
  const tooLarge = issues.filter(isBodyTooLong);
  const code: TErrorCode = tooLarge.length > 0 ? "PAYLOAD_TOO_LARGE" : "INVALID_PAYLOAD";
  const ordered = [...tooLarge, ...issues.filter((issue) => !isBodyTooLong(issue))];
  return fail(code, summarizeIssues(ordered));
}

/** parsePayload for code that reports errors by throwing (REST handlers): throws AppError. */
export function parsePayloadOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = parsePayload(schema, input);
  if (!result.ok) throw new AppError(result.error.code, result.error.message);
  return result.data;
}
