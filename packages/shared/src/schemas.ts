/**
 * zod schemas for the public contract v1 (see design.md).
 *
 * - Request schemas (REST bodies/queries, client→server socket payloads) are
 *   strict: unknown keys are rejected.
 * - Entity, result and server→client event schemas are plain objects (unknown
 *   keys are stripped) so older clients keep working when fields are added.
 */
import { z } from "zod";
import { ERROR_CODES } from "./errors";
import { LIMITS } from "./limits";

// ---------------------------------------------------------------- primitives

export const ZIdSchema = z.uuid();
export const ZIsoDateTimeSchema = z.iso.datetime({ offset: true });
export const ZSeqSchema = z.int().min(1);
/** A seq high-water mark; 0 means "nothing yet". */
export const ZSeqMarkSchema = z.int().min(0);

/** USER < MODERATOR < ADMIN (see docs/moderation.md). */
export const ZUserRoleSchema = z.enum(["USER", "MODERATOR", "ADMIN"]);
export type TUserRole = z.infer<typeof ZUserRoleSchema>;

/** Parses a role claim from a token or session; anything unknown is the least privileged. */
export function toUserRole(value: unknown): TUserRole {
  const parsed = ZUserRoleSchema.safeParse(value);
  return parsed.success ? parsed.data : "USER";
}
export const ZUserStatusSchema = z.enum(["ACTIVE", "SUSPENDED", "BANNED"]);
export type TUserStatus = z.infer<typeof ZUserStatusSchema>;
export const ZMemberRoleSchema = z.enum(["OWNER", "ADMIN", "MEMBER"]);
export type TMemberRole = z.infer<typeof ZMemberRoleSchema>;
export const ZConversationTypeSchema = z.enum(["direct", "group"]);
export const ZMessageKindSchema = z.enum(["text", "system"]);
export const ZPresenceStatusSchema = z.enum(["online", "away", "offline"]);
export type TPresenceStatus = z.infer<typeof ZPresenceStatusSchema>;
/** The statuses a client may set for itself. */
export const ZSettablePresenceStatusSchema = z.enum(["online", "away"]);
export type TSettablePresenceStatus = z.infer<typeof ZSettablePresenceStatusSchema>;
export const ZDevicePlatformSchema = z.enum(["fcm", "apns"]);
export const ZErrorCodeSchema = z.enum(ERROR_CODES);

/** C0 controls other than tab, line feed and carriage return, and DEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** A UTF-16 surrogate without its partner: not text, and not storable as sent. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text a person typed: no NUL or other control characters (tab and newlines
 * are fine) and well-formed UTF-16, so what is stored and echoed back is
 * exactly what was acknowledged. Every user-supplied string goes through this.
 */
export function zText() {
  return z
    .string()
    .refine((s) => !CONTROL_CHARS.test(s), "must not contain control characters")
    .refine((s) => !LONE_SURROGATE.test(s), "invalid text (unpaired surrogate)");
}

export const ZEmailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254));
export const ZPasswordSchema = z.string().min(LIMITS.passwordMinChars).max(LIMITS.passwordMaxChars);
export const ZDisplayNameSchema = zText().trim().min(1).max(LIMITS.nameMaxChars);
export const ZGroupTitleSchema = zText().trim().min(1).max(LIMITS.titleMaxChars);
/** A message body as sent by a client: trimmed, non-empty, ≤ bodyMaxChars. */
export const ZMessageBodySchema = zText().trim().min(1).max(LIMITS.bodyMaxChars);
export const ZClientMsgIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.clientMsgIdMaxChars)
  .regex(/^[A-Za-z0-9_-]+$/, "only letters, digits, '_' and '-' allowed");

/** A list of ids with no duplicates. */
function zIdList(min: number, max: number) {
  return z
    .array(ZIdSchema)
    .min(min)
    .max(max)
    .refine((ids) => new Set(ids).size === ids.length, "duplicate ids");
}

// ------------------------------------------------------------------ entities

export const ZUserPublicSchema = z.object({
  id: ZIdSchema,
  name: z.string(),
  /** Only present for the user themself and for admins. */
  email: z.string().optional(),
  role: ZUserRoleSchema,
  status: ZUserStatusSchema,
  lastSeenAt: ZIsoDateTimeSchema.nullable(),
});
export type TUserPublic = z.infer<typeof ZUserPublicSchema>;

export const ZMessageSchema = z.object({
  id: ZIdSchema,
  conversationId: ZIdSchema,
  seq: ZSeqSchema,
  senderId: ZIdSchema,
  /** Empty for deleted messages. */
  body: z.string(),
  kind: ZMessageKindSchema,
  createdAt: ZIsoDateTimeSchema,
  editedAt: ZIsoDateTimeSchema.nullable(),
  deleted: z.boolean(),
  clientMsgId: z.string().optional(),
});
export type TMessage = z.infer<typeof ZMessageSchema>;

export const ZConversationMemberSchema = z.object({
  userId: ZIdSchema,
  role: ZMemberRoleSchema,
  name: z.string(),
});
export type TConversationMember = z.infer<typeof ZConversationMemberSchema>;

export const ZConversationSummarySchema = z.object({
  id: ZIdSchema,
  type: ZConversationTypeSchema,
  title: z.string().nullable(),
  members: z.array(ZConversationMemberSchema),
  lastMessage: ZMessageSchema.nullable(),
  lastSeq: ZSeqMarkSchema,
  unread: z.int().min(0),
  mutedUntil: ZIsoDateTimeSchema.nullable(),
});
export type TConversationSummary = z.infer<typeof ZConversationSummarySchema>;

/** A user's presence: the `presence:watch` result items and the `presence` event. */
export const ZPresenceSchema = z.object({
  userId: ZIdSchema,
  status: ZPresenceStatusSchema,
  lastSeenAt: ZIsoDateTimeSchema.nullable(),
});
export type TPresence = z.infer<typeof ZPresenceSchema>;

// ------------------------------------------------------- ack / error envelope

export const ZErrorBodySchema = z.object({ code: ZErrorCodeSchema, message: z.string() });
export const ZAckErrorSchema = z.object({ ok: z.literal(false), error: ZErrorBodySchema });

/** Schema of `TAck<T>` for a given data schema (clients and tests checking server replies). */
export function zAck<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion("ok", [z.object({ ok: z.literal(true), data }), ZAckErrorSchema]);
}

// ------------------------------------------------------------- REST requests

/** POST /api/v1/auth/signup */
export const ZSignupRequestSchema = z.strictObject({
  email: ZEmailSchema,
  password: ZPasswordSchema,
  name: ZDisplayNameSchema,
});
export type TSignupRequest = z.infer<typeof ZSignupRequestSchema>;

/** POST /api/v1/auth/token (no minimum length: that is a sign-up rule). */
export const ZTokenRequestSchema = z.strictObject({
  email: ZEmailSchema,
  password: z.string().min(1).max(LIMITS.passwordMaxChars),
});
export type TTokenRequest = z.infer<typeof ZTokenRequestSchema>;

/** POST /api/v1/auth/refresh */
export const ZRefreshRequestSchema = z.strictObject({
  refreshToken: z.string().min(1).max(4096),
});
export type TRefreshRequest = z.infer<typeof ZRefreshRequestSchema>;

/** GET /api/v1/users?query= */
export const ZUserSearchQuerySchema = z.strictObject({
  query: zText().trim().min(1).max(LIMITS.searchQueryMaxChars),
});
export type TUserSearchQuery = z.infer<typeof ZUserSearchQuerySchema>;

/** POST /api/v1/conversations (a direct conversation returns the existing DM if any). */
export const ZCreateConversationRequestSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("direct"), userId: ZIdSchema }),
  z.strictObject({
    type: z.literal("group"),
    title: ZGroupTitleSchema,
    /** The other members; the creator is added as OWNER. */
    memberIds: zIdList(0, LIMITS.groupMaxMembers - 1),
  }),
]);
export type TCreateConversationRequest = z.infer<typeof ZCreateConversationRequestSchema>;

/** POST /api/v1/conversations/:id/members */
export const ZAddMembersRequestSchema = z.strictObject({
  userIds: zIdList(1, LIMITS.userIdsPerRequestMax),
});
export type TAddMembersRequest = z.infer<typeof ZAddMembersRequestSchema>;

/** PATCH /api/v1/conversations/:id/settings (null unmutes). */
export const ZConversationSettingsRequestSchema = z.strictObject({
  mutedUntil: ZIsoDateTimeSchema.nullable(),
});
export type TConversationSettingsRequest = z.infer<typeof ZConversationSettingsRequestSchema>;

/** POST /api/v1/devices */
export const ZRegisterDeviceRequestSchema = z.strictObject({
  platform: ZDevicePlatformSchema,
  token: zText().min(1).max(4096),
});
export type TRegisterDeviceRequest = z.infer<typeof ZRegisterDeviceRequestSchema>;

/** A non-negative integer given as a URL query string ("42"), at least `min`. */
function zQueryInt(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .regex(/^\d{1,15}$/, "expected an integer")
    .transform(Number)
    .pipe(z.int().min(min).max(max));
}

/**
 * GET /api/v1/conversations/:id/messages?beforeSeq=&afterSeq=&limit= (and the
 * realtime node's GET /v1/conversations/:id/messages): message:history as a query.
 */
export const ZMessageHistoryQuerySchema = z
  .strictObject({
    beforeSeq: zQueryInt(1).optional(),
    afterSeq: zQueryInt(0).optional(),
    limit: zQueryInt(1, LIMITS.historyPageMax).optional(),
  })
  .refine(
    (p) => p.beforeSeq === undefined || p.afterSeq === undefined,
    "use beforeSeq or afterSeq, not both",
  );
export type TMessageHistoryQuery = z.infer<typeof ZMessageHistoryQuerySchema>;

/** Path params of /api/v1/conversations/:id/… and /api/v1/devices/:id (a non-uuid id is INVALID_PAYLOAD). */
export const ZIdParamsSchema = z.object({ id: ZIdSchema });
export type TIdParams = z.infer<typeof ZIdParamsSchema>;

/** Path params of /api/v1/conversations/:id/members/:userId */
export const ZMemberParamsSchema = z.object({ id: ZIdSchema, userId: ZIdSchema });
export type TMemberParams = z.infer<typeof ZMemberParamsSchema>;

// ------------------------------------------------------------ REST responses

/** POST /api/v1/auth/refresh → new pair. `expiresIn` is the access token lifetime in seconds. */
export const ZTokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.int().positive(),
});
export type TTokenPair = z.infer<typeof ZTokenPairSchema>;

/** POST /api/v1/auth/token */
export const ZAuthTokensSchema = ZTokenPairSchema.extend({ user: ZUserPublicSchema });
export type TAuthTokens = z.infer<typeof ZAuthTokensSchema>;

/** GET /api/v1/auth/realtime-token (`expiresAt`: refresh the socket with auth:refresh before it). */
export const ZRealtimeTokenSchema = z.object({
  token: z.string(),
  url: z.string(),
  expiresAt: ZIsoDateTimeSchema.optional(),
});
export type TRealtimeToken = z.infer<typeof ZRealtimeTokenSchema>;

/** POST /api/v1/auth/signup → 201 (sign-up does not sign in: no tokens). */
export const ZSignupResponseSchema = z.object({ user: ZUserPublicSchema });
export type TSignupResponse = z.infer<typeof ZSignupResponseSchema>;

/** GET /api/v1/users?query= */
export const ZUserSearchResponseSchema = z.object({ users: z.array(ZUserPublicSchema) });
export type TUserSearchResponse = z.infer<typeof ZUserSearchResponseSchema>;

/** GET /api/v1/conversations — most recently active first. */
export const ZConversationListResponseSchema = z.object({
  conversations: z.array(ZConversationSummarySchema),
});
export type TConversationListResponse = z.infer<typeof ZConversationListResponseSchema>;

/** POST /api/v1/conversations, POST …/:id/members, PATCH …/:id/settings */
export const ZConversationResponseSchema = z.object({ conversation: ZConversationSummarySchema });
export type TConversationResponse = z.infer<typeof ZConversationResponseSchema>;

/** A registered push device as the API shows it; the token is never echoed. */
export const ZDeviceSchema = z.object({
  id: ZIdSchema,
  platform: ZDevicePlatformSchema,
  createdAt: ZIsoDateTimeSchema,
  lastUsedAt: ZIsoDateTimeSchema,
});
export type TDevice = z.infer<typeof ZDeviceSchema>;

/** POST /api/v1/devices */
export const ZDeviceResponseSchema = z.object({ device: ZDeviceSchema });
export type TDeviceResponse = z.infer<typeof ZDeviceResponseSchema>;

// ---------------------------------------------- client → server socket payloads

/** message:send */
export const ZMessageSendPayloadSchema = z.strictObject({
  conversationId: ZIdSchema,
  clientMsgId: ZClientMsgIdSchema,
  body: ZMessageBodySchema,
});
export type TMessageSendPayload = z.infer<typeof ZMessageSendPayloadSchema>;

/** message:history — without a cursor, the latest page; `limit` defaults to LIMITS.historyPageDefault. */
export const ZMessageHistoryPayloadSchema = z
  .strictObject({
    conversationId: ZIdSchema,
    beforeSeq: ZSeqSchema.optional(),
    afterSeq: ZSeqMarkSchema.optional(),
    limit: z.int().min(1).max(LIMITS.historyPageMax).optional(),
  })
  .refine(
    (p) => p.beforeSeq === undefined || p.afterSeq === undefined,
    "use beforeSeq or afterSeq, not both",
  );
export type TMessageHistoryPayload = z.infer<typeof ZMessageHistoryPayloadSchema>;

/** message:edit (own messages; admins any) */
export const ZMessageEditPayloadSchema = z.strictObject({
  conversationId: ZIdSchema,
  messageId: ZIdSchema,
  body: ZMessageBodySchema,
});
export type TMessageEditPayload = z.infer<typeof ZMessageEditPayloadSchema>;

/** message:delete (own messages; admins any) */
export const ZMessageDeletePayloadSchema = z.strictObject({
  conversationId: ZIdSchema,
  messageId: ZIdSchema,
});
export type TMessageDeletePayload = z.infer<typeof ZMessageDeletePayloadSchema>;

/** receipt:delivered and receipt:read (high-water marks) */
export const ZReceiptPayloadSchema = z.strictObject({
  conversationId: ZIdSchema,
  seq: ZSeqMarkSchema,
});
export type TReceiptPayload = z.infer<typeof ZReceiptPayloadSchema>;

/** typing:start and typing:stop */
export const ZTypingPayloadSchema = z.strictObject({ conversationId: ZIdSchema });
export type TTypingPayload = z.infer<typeof ZTypingPayloadSchema>;

/** presence:watch and presence:unwatch */
export const ZPresenceWatchPayloadSchema = z.strictObject({
  userIds: z.array(ZIdSchema).min(1).max(LIMITS.watchMax),
});
export type TPresenceWatchPayload = z.infer<typeof ZPresenceWatchPayloadSchema>;

/** presence:set */
export const ZPresenceSetPayloadSchema = z.strictObject({ status: ZSettablePresenceStatusSchema });
export type TPresenceSetPayload = z.infer<typeof ZPresenceSetPayloadSchema>;

/** sync — the client's last known seq per conversation. */
export const ZSyncPayloadSchema = z.strictObject({
  conversations: z
    .record(ZIdSchema, ZSeqMarkSchema)
    .refine(
      (r) => Object.keys(r).length <= LIMITS.syncMaxConversations,
      `too many entries (max ${LIMITS.syncMaxConversations})`,
    ),
  /**
   * Optional (added in v1, backward compatible): the latest server timestamp
   * the client has seen (a message's createdAt/editedAt). When given, each
   * conversation's `changed` lists messages edited or deleted after it.
   */
  since: ZIsoDateTimeSchema.optional(),
});
export type TSyncPayload = z.infer<typeof ZSyncPayloadSchema>;

/** auth:refresh — a new access token for this socket, before the current one expires. */
export const ZAuthRefreshPayloadSchema = z.strictObject({ token: z.string().min(1).max(4096) });
export type TAuthRefreshPayload = z.infer<typeof ZAuthRefreshPayloadSchema>;

// ------------------------------------------------------------- ack results

/** auth:refresh → when the socket's session now expires. */
export const ZAuthRefreshResultSchema = z.object({ expiresAt: ZIsoDateTimeSchema });
export type TAuthRefreshResult = z.infer<typeof ZAuthRefreshResultSchema>;

/** message:send → */
export const ZMessageSendResultSchema = z.object({
  messageId: ZIdSchema,
  seq: ZSeqSchema,
  createdAt: ZIsoDateTimeSchema,
});
export type TMessageSendResult = z.infer<typeof ZMessageSendResultSchema>;

/** message:history → messages in ascending seq order. */
export const ZMessageHistoryResultSchema = z.object({
  messages: z.array(ZMessageSchema),
  hasMore: z.boolean(),
});
export type TMessageHistoryResult = z.infer<typeof ZMessageHistoryResultSchema>;

/** receipt:* → the stored high-water mark (may be above the sent seq). */
export const ZReceiptResultSchema = z.object({ seq: ZSeqMarkSchema });
export type TReceiptResult = z.infer<typeof ZReceiptResultSchema>;

/**
 * presence:watch → current state of each requested user the caller may watch
 * (themselves, and people who participated in a conversation they share —
 * docs/presence.md), in request order; the others are left out, not an error.
 */
export const ZPresenceWatchResultSchema = z
  .array(ZPresenceSchema)
  .describe(
    "The requested users you may watch (yourself, and people who participated in a live conversation you share), in request order; ids you may not watch are left out.",
  );
export type TPresenceWatchResult = z.infer<typeof ZPresenceWatchResultSchema>;

/** One conversation in the sync result. */
export const ZSyncConversationStateSchema = z.object({
  lastSeq: ZSeqMarkSchema,
  unread: z.int().min(0),
  /** userId → read high-water mark */
  readSeqs: z.record(ZIdSchema, ZSeqMarkSchema),
  /** userId → delivered high-water mark */
  deliveredSeqs: z.record(ZIdSchema, ZSeqMarkSchema).optional(),
  /** Messages at or below the client's lastSeq that were edited or deleted since. */
  changed: z.array(ZMessageSchema),
});
export type TSyncConversationState = z.infer<typeof ZSyncConversationStateSchema>;

/** sync → conversationId → state. */
export const ZSyncResultSchema = z.record(ZIdSchema, ZSyncConversationStateSchema);
export type TSyncResult = z.infer<typeof ZSyncResultSchema>;

// --------------------------------------------------- server → client events

/** message:deleted (also the message:delete ack data) */
export const ZMessageDeletedEventSchema = z.object({
  conversationId: ZIdSchema,
  messageId: ZIdSchema,
  seq: ZSeqSchema,
});
export type TMessageDeletedEvent = z.infer<typeof ZMessageDeletedEventSchema>;

export const ZReceiptEventSchema = z.object({
  conversationId: ZIdSchema,
  userId: ZIdSchema,
  kind: z.enum(["delivered", "read"]),
  seq: ZSeqMarkSchema,
});
export type TReceiptEvent = z.infer<typeof ZReceiptEventSchema>;

export const ZTypingEventSchema = z.object({
  conversationId: ZIdSchema,
  userId: ZIdSchema,
  typing: z.boolean(),
});
export type TTypingEvent = z.infer<typeof ZTypingEventSchema>;

export const ZConversationUpdatedEventSchema = z.object({
  conversationId: ZIdSchema,
  reason: z.enum(["created", "members_added", "member_removed", "left", "deleted", "updated"]),
});
export type TConversationUpdatedEvent = z.infer<typeof ZConversationUpdatedEventSchema>;

/** Why the server ended a socket's session (`expired`: its access token ran out without auth:refresh). */
export const ZSessionRevokedReasonSchema = z.enum(["banned", "suspended", "logged_out", "expired"]);
export type TSessionRevokedReason = z.infer<typeof ZSessionRevokedReasonSchema>;
export const ZSessionRevokedEventSchema = z.object({ reason: ZSessionRevokedReasonSchema });
export type TSessionRevokedEvent = z.infer<typeof ZSessionRevokedEventSchema>;

/**
 * `sync:required`: this node may have missed live events for you (its link to
 * the other nodes dropped: Redis restart, failover, network cut). Run the
 * reconnect catch-up (sync + history) as after a reconnect.
 */
export const ZSyncRequiredEventSchema = z.object({ reason: z.enum(["link_lost"]) });
export type TSyncRequiredEvent = z.infer<typeof ZSyncRequiredEventSchema>;

// ------------------------------------------------------------- moderation

export const ZReportCategorySchema = z.enum([
  "SPAM",
  "HARASSMENT",
  "HATE",
  "SEXUAL",
  "VIOLENCE",
  "SELF_HARM",
  "OTHER",
]);
export type TReportCategory = z.infer<typeof ZReportCategorySchema>;

/** POST /api/v1/reports: a member reports a message. */
export const ZReportRequestSchema = z.strictObject({
  conversationId: ZIdSchema,
  messageId: ZIdSchema,
  category: ZReportCategorySchema,
  /** Optional details for the moderators. */
  reason: zText().trim().max(LIMITS.reportReasonMaxChars).default(""),
});
export type TReportRequest = z.input<typeof ZReportRequestSchema>;

/** POST /api/v1/reports → 202: the reporter learns nothing beyond "received". */
export const ZReportReceiptSchema = z.object({ status: z.literal("received") });
export type TReportReceipt = z.infer<typeof ZReportReceiptSchema>;

/** A moderator's reason for an action: required, shown in the audit log. */
export const ZModerationReasonSchema = zText().trim().min(1).max(LIMITS.moderationReasonMaxChars);

/** Suspend a user, until lifted or for `durationMinutes`. */
export const ZSuspendUserRequestSchema = z.strictObject({
  userId: ZIdSchema,
  reason: ZModerationReasonSchema,
  /** Internal, for moderators only. */
  note: zText().trim().max(LIMITS.moderationReasonMaxChars).optional(),
  durationMinutes: z
    .int()
    .min(1)
    .max(60 * 24 * 365)
    .nullable()
    .default(null),
});
export type TSuspendUserRequest = z.input<typeof ZSuspendUserRequestSchema>;

export const ZBanUserRequestSchema = z.strictObject({
  userId: ZIdSchema,
  reason: ZModerationReasonSchema,
  note: zText().trim().max(LIMITS.moderationReasonMaxChars).optional(),
});
export type TBanUserRequest = z.input<typeof ZBanUserRequestSchema>;

/** Lift a suspension or ban; force logout; anything that only needs a target and a reason. */
export const ZUserActionRequestSchema = z.strictObject({
  userId: ZIdSchema,
  reason: ZModerationReasonSchema,
});
export type TUserActionRequest = z.input<typeof ZUserActionRequestSchema>;

export const ZChangeRoleRequestSchema = z.strictObject({
  userId: ZIdSchema,
  role: ZUserRoleSchema,
  reason: ZModerationReasonSchema,
});
export type TChangeRoleRequest = z.input<typeof ZChangeRoleRequestSchema>;

/** The admin users list: server-side search, filters and a cursor. */
export const ZAdminUserQuerySchema = z.strictObject({
  query: zText().trim().max(LIMITS.searchQueryMaxChars).optional(),
  role: ZUserRoleSchema.optional(),
  status: ZUserStatusSchema.optional(),
  createdFrom: ZIsoDateTimeSchema.optional(),
  createdTo: ZIsoDateTimeSchema.optional(),
  lastSeenFrom: ZIsoDateTimeSchema.optional(),
  lastSeenTo: ZIsoDateTimeSchema.optional(),
  /** Opaque, from the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
  limit: z.int().min(1).max(100).default(50),
});
export type TAdminUserQuery = z.input<typeof ZAdminUserQuerySchema>;

/** A moderator deletes a message (no membership needed). */
export const ZModeratorDeleteMessageRequestSchema = z.strictObject({
  conversationId: ZIdSchema,
  messageId: ZIdSchema,
  reason: ZModerationReasonSchema,
});
export type TModeratorDeleteMessageRequest = z.input<typeof ZModeratorDeleteMessageRequestSchema>;

/** Close every open report of one message with an action. */
export const ZResolveReportsRequestSchema = z.strictObject({
  messageId: ZIdSchema,
  action: z.enum(["delete_message", "suspend_author", "dismiss"]),
  reason: ZModerationReasonSchema,
  /** For suspend_author; null = until lifted. */
  suspendMinutes: z
    .int()
    .min(1)
    .max(60 * 24 * 365)
    .nullable()
    .default(null),
});
export type TResolveReportsRequest = z.input<typeof ZResolveReportsRequestSchema>;

export const ZReportQueueQuerySchema = z.strictObject({
  status: z.enum(["OPEN", "RESOLVED", "DISMISSED"]).default("OPEN"),
  category: ZReportCategorySchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.int().min(1).max(100).default(50),
});
export type TReportQueueQuery = z.input<typeof ZReportQueueQuerySchema>;

export const ZAuditQuerySchema = z.strictObject({
  actorId: ZIdSchema.optional(),
  action: zText().trim().max(100).optional(),
  targetType: zText().trim().max(50).optional(),
  targetId: zText().trim().max(100).optional(),
  from: ZIsoDateTimeSchema.optional(),
  to: ZIsoDateTimeSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.int().min(1).max(1000).default(50),
});
export type TAuditQuery = z.input<typeof ZAuditQuerySchema>;

export const ZAdminConversationQuerySchema = z.strictObject({
  /** Matches a group title or a member's name or email. */
  query: zText().trim().max(LIMITS.searchQueryMaxChars).optional(),
  type: z.enum(["direct", "group"]).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.int().min(1).max(100).default(50),
});
export type TAdminConversationQuery = z.input<typeof ZAdminConversationQuerySchema>;

export const ZRenameGroupRequestSchema = z.strictObject({
  conversationId: ZIdSchema,
  title: ZGroupTitleSchema,
  reason: ZModerationReasonSchema,
});
export type TRenameGroupRequest = z.input<typeof ZRenameGroupRequestSchema>;

export const ZGroupMemberActionRequestSchema = z.strictObject({
  conversationId: ZIdSchema,
  userId: ZIdSchema,
  reason: ZModerationReasonSchema,
});
export type TGroupMemberActionRequest = z.input<typeof ZGroupMemberActionRequestSchema>;

export const ZConversationActionRequestSchema = z.strictObject({
  conversationId: ZIdSchema,
  reason: ZModerationReasonSchema,
});
export type TConversationActionRequest = z.input<typeof ZConversationActionRequestSchema>;

// admin console

/** Signing in to the admin console: email, password and, once enrolled, the authenticator's code. */
export const ZStaffSignInRequestSchema = z.strictObject({
  ...ZTokenRequestSchema.shape,
  totp: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "expected the 6-digit code")
    .optional(),
});
export type TStaffSignInRequest = z.infer<typeof ZStaffSignInRequestSchema>;

/** Turning on TOTP: the secret shown at enrolment and a current code from the authenticator. */
export const ZEnableTotpRequestSchema = z.strictObject({
  secret: z.string().regex(/^[A-Z2-7]{16,128}$/, "expected a base32 secret"),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "expected the 6-digit code"),
});
export type TEnableTotpRequest = z.infer<typeof ZEnableTotpRequestSchema>;

/** A conversation's page in the console: history before a seq or around one, and a people lookup. */
export const ZAdminConversationViewQuerySchema = z.strictObject({
  before: zQueryInt(1).optional(),
  around: zQueryInt(1).optional(),
  people: zText().trim().max(LIMITS.searchQueryMaxChars).optional(),
});
export type TAdminConversationViewQuery = z.infer<typeof ZAdminConversationViewQuerySchema>;

// push

/**
 * What a push notification may show (per user): the message text, only who
 * sent it, or nothing but ids (the app fetches the content itself).
 */
export const ZPushPreviewSchema = z.enum(["full", "sender", "id_only"]);
export type TPushPreview = z.infer<typeof ZPushPreviewSchema>;

/** GET/PATCH /api/v1/me/push */
export const ZPushSettingsSchema = z.object({ preview: ZPushPreviewSchema });
export type TPushSettings = z.infer<typeof ZPushSettingsSchema>;

/** PATCH /api/v1/me/push */
export const ZUpdatePushSettingsRequestSchema = z.strictObject({ preview: ZPushPreviewSchema });
export type TUpdatePushSettingsRequest = z.infer<typeof ZUpdatePushSettingsRequestSchema>;

// Job payloads of the push queue (BullMQ). Producers (any app, through
// @relay/core) and workers may run different versions during a deploy, so
// the worker validates every job against these before acting on it.

/** "A message was stored": the worker picks the members to push (one per message). */
export const ZPushFanoutJobSchema = z.strictObject({
  messageId: ZIdSchema,
  conversationId: ZIdSchema,
  seq: ZSeqSchema,
  senderId: ZIdSchema,
  /** Members mentioned by the message: they may be pushed despite a mute (mentions are not built yet). */
  mentionedUserIds: z.array(ZIdSchema).max(LIMITS.groupMaxMembers).default([]),
});
export type TPushFanoutJob = z.infer<typeof ZPushFanoutJobSchema>;

/** One message to one device. */
export const ZPushDeliverJobSchema = z.strictObject({
  messageId: ZIdSchema,
  conversationId: ZIdSchema,
  seq: ZSeqSchema,
  userId: ZIdSchema,
  deviceId: ZIdSchema,
  mentioned: z.boolean().default(false),
});
export type TPushDeliverJob = z.infer<typeof ZPushDeliverJobSchema>;

/** The end of a device's collapse window in a conversation: push the latest unread message, if any. */
export const ZPushTrailJobSchema = z.strictObject({
  conversationId: ZIdSchema,
  userId: ZIdSchema,
  deviceId: ZIdSchema,
  /** When the window this trail closes was opened (ms): part of the job's id. */
  windowOpenedMs: z.int().min(0),
});
export type TPushTrailJob = z.infer<typeof ZPushTrailJobSchema>;

/** The user read a conversation up to `readSeq`: silently clear its notification on their devices. */
export const ZPushClearJobSchema = z.strictObject({
  conversationId: ZIdSchema,
  userId: ZIdSchema,
  readSeq: ZSeqMarkSchema,
  /** Only these devices (the worker's own "read while sending" repair); all when absent. */
  deviceIds: z.array(ZIdSchema).max(100).optional(),
});
export type TPushClearJob = z.infer<typeof ZPushClearJobSchema>;
