/**
 * The OpenAPI 3.1 document of REST v1 (apps/web, served at
 * GET /api/v1/openapi.json), built from the zod schemas the route handlers
 * validate with, so the document cannot drift from what the server accepts.
 * docs/api.md stays the prose; this is the machine-readable contract.
 */
import { z } from "zod";
import { createDocument } from "zod-openapi";
import type {
  ZodOpenApiOperationObject,
  ZodOpenApiPathsObject,
  ZodOpenApiResponseObject,
  ZodOpenApiResponsesObject,
} from "zod-openapi";
import { ERROR_CODES, HTTP_STATUS_BY_CODE } from "./errors";
import type { TErrorCode } from "./errors";
import { LIMITS, PROTOCOL_VERSION } from "./limits";
import {
  ZAckErrorSchema,
  ZAddMembersRequestSchema,
  ZAuthTokensSchema,
  ZConversationListResponseSchema,
  ZConversationMemberSchema,
  ZConversationResponseSchema,
  ZConversationSettingsRequestSchema,
  ZConversationSummarySchema,
  ZCreateConversationRequestSchema,
  ZDeviceResponseSchema,
  ZDeviceSchema,
  ZErrorBodySchema,
  ZErrorCodeSchema,
  ZIdParamsSchema,
  ZMemberParamsSchema,
  ZMessageHistoryQuerySchema,
  ZMessageHistoryResultSchema,
  ZMessageSchema,
  ZPushSettingsSchema,
  ZRealtimeTokenSchema,
  ZRefreshRequestSchema,
  ZRegisterDeviceRequestSchema,
  ZReportReceiptSchema,
  ZReportRequestSchema,
  ZSignupRequestSchema,
  ZSignupResponseSchema,
  ZTokenPairSchema,
  ZTokenRequestSchema,
  ZUpdatePushSettingsRequestSchema,
  ZUserPublicSchema,
  ZUserSearchQuerySchema,
  ZUserSearchResponseSchema,
} from "./schemas";

export type TOpenApiDocument = ReturnType<typeof createDocument>;

/** Where the document is served (relative to the web app's origin). */
export const OPENAPI_DOCUMENT_PATH = "/api/v1/openapi.json";

/** GET /api/v1/openapi.json → this document; only the fields clients rely on are pinned. */
export const ZOpenApiDocumentSchema = z.looseObject({
  openapi: z.string().regex(/^3\.1\.\d+$/),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

// ------------------------------------------------------------------ errors

type TErrorStatus = (typeof HTTP_STATUS_BY_CODE)[TErrorCode];

/** HTTP_STATUS_BY_CODE is one-to-one, so each error status has exactly one code. */
const CODE_BY_STATUS = Object.fromEntries(
  ERROR_CODES.map((code) => [HTTP_STATUS_BY_CODE[code], code]),
) as Record<TErrorStatus, TErrorCode>;

const ERROR_STATUSES = Object.keys(CODE_BY_STATUS)
  .map(Number)
  .sort((a, b) => a - b) as TErrorStatus[];

/** Every 401 carries this header (see errorResponse in apps/web/src/server/route.ts). */
const ZUnauthorizedHeadersSchema = z.object({
  "www-authenticate": z.string().meta({ description: 'Always `Bearer realm="relay"`.' }),
});

function errorResponse(status: TErrorStatus, when: string): ZodOpenApiResponseObject {
  return {
    description: `\`${CODE_BY_STATUS[status]}\`: ${when}`,
    ...(status === 401 ? { headers: ZUnauthorizedHeadersSchema } : {}),
    content: { "application/json": { schema: ZAckErrorSchema } },
  };
}

type TErrorCases = Partial<Record<TErrorStatus, string>>;

/** The route's error responses, in status order (the generated document reads better that way). */
function errors(...sets: TErrorCases[]): ZodOpenApiResponsesObject {
  const merged: TErrorCases = {};
  for (const set of sets) {
    for (const status of ERROR_STATUSES) {
      const when = set[status];
      if (when === undefined) continue;
      const before = merged[status];
      merged[status] = before === undefined ? when : `${before}; ${when}`;
    }
  }
  const out: ZodOpenApiResponsesObject = {};
  for (const status of ERROR_STATUSES) {
    const when = merged[status];
    if (when !== undefined) out[`${status}`] = errorResponse(status, when);
  }
  return out;
}

const SERVER: TErrorCases = {
  500: "a bug; the message is always `internal error`",
  503: "Postgres, Redis or Cassandra unreachable; retry later",
};
const CALLER: TErrorCases = {
  401: "missing, malformed or expired access token (or session); `session revoked; sign in again` for one signed out or revoked (sign out everywhere, force logout)",
  403: "the account is suspended (`account suspended`) or banned (`account banned`)",
};
const JSON_BODY: TErrorCases = {
  400: "schema violation (the message names the field), malformed JSON, invalid UTF-8, or a Content-Type that is not JSON",
  413: "request body over 64 KiB",
};
const PATH_ID: TErrorCases = { 400: "a path id that is not a uuid" };
const QUERY: TErrorCases = { 400: "invalid or unknown query parameter" };

// --------------------------------------------------------------- successes

function ok(description: string, schema: z.ZodType): ZodOpenApiResponseObject {
  return { description, content: { "application/json": { schema } } };
}

const NO_CONTENT: ZodOpenApiResponseObject = { description: "Done (no body)." };

function jsonBody(schema: z.ZodType) {
  return { required: true, content: { "application/json": { schema } } };
}

/** Routes anyone may call; the document-level default requires a caller. */
const PUBLIC = { security: [] };

// ------------------------------------------------------------------ routes

const signUp: ZodOpenApiOperationObject = {
  operationId: "signUp",
  tags: ["auth"],
  summary: "Create an account (does not sign in)",
  description:
    "Rate limited per IP (10 per 10 minutes by default). Sign-up does not sign in: call `POST /api/v1/auth/token` next.",
  ...PUBLIC,
  requestBody: jsonBody(ZSignupRequestSchema),
  responses: {
    "201": ok("The new user (`email` included).", ZSignupResponseSchema),
    ...errors(
      JSON_BODY,
      { 409: "email already registered", 429: "too many sign-ups from this IP" },
      SERVER,
    ),
  },
};

const issueToken: ZodOpenApiOperationObject = {
  operationId: "issueToken",
  tags: ["auth"],
  summary: "Sign in with email and password: an access/refresh token pair",
  description:
    "The access token (HS256 JWT, `expiresIn` seconds) is the Bearer token of every other route and opens a realtime socket. Rate limited per IP (30 per minute by default).",
  ...PUBLIC,
  requestBody: jsonBody(ZTokenRequestSchema),
  responses: {
    "200": ok("A token pair and the user.", ZAuthTokensSchema),
    ...errors(
      JSON_BODY,
      {
        401: "`invalid email or password` (the same for an unknown email and a wrong password)",
        403: "`account suspended` / `account banned` (only after the password matched)",
        429: "too many sign-ins from this IP",
      },
      SERVER,
    ),
  },
};

const refreshToken: ZodOpenApiOperationObject = {
  operationId: "refreshToken",
  tags: ["auth"],
  summary: "Rotate a refresh token into a new pair",
  description:
    "The presented token is revoked; keep the new one. Reusing a rotated token revokes its whole chain, so serialize refreshes.",
  ...PUBLIC,
  requestBody: jsonBody(ZRefreshRequestSchema),
  responses: {
    "200": ok("The new pair.", ZTokenPairSchema),
    ...errors(
      JSON_BODY,
      {
        401: "unknown, expired or already-used refresh token",
        403: "the account is suspended or banned (all of its refresh tokens are revoked)",
      },
      SERVER,
    ),
  },
};

const realtimeToken: ZodOpenApiOperationObject = {
  operationId: "getRealtimeToken",
  tags: ["auth"],
  summary: "A fresh access token for the browser's socket, and where to connect",
  responses: {
    "200": ok("`io(url, { auth: { token } })`.", ZRealtimeTokenSchema),
    ...errors(CALLER, SERVER),
  },
};

const searchUsers: ZodOpenApiOperationObject = {
  operationId: "searchUsers",
  tags: ["users"],
  summary: "People search",
  description:
    "Up to 20 ACTIVE users whose name or email contains `query` (case-insensitive), never the caller, by name. `email` only for admin callers. No other query parameters are accepted.",
  requestParams: { query: ZUserSearchQuerySchema },
  responses: {
    "200": ok("Matching users.", ZUserSearchResponseSchema),
    ...errors(QUERY, CALLER, SERVER),
  },
};

const listConversations: ZodOpenApiOperationObject = {
  operationId: "listConversations",
  tags: ["conversations"],
  summary: "The caller's conversations, most recently active first",
  responses: {
    "200": ok("The caller's conversations.", ZConversationListResponseSchema),
    ...errors(CALLER, SERVER),
  },
};

const createConversation: ZodOpenApiOperationObject = {
  operationId: "createConversation",
  tags: ["conversations"],
  summary: "Start a direct conversation (or get the existing one) or create a group",
  description:
    "`direct`: idempotent and race-safe, the same conversation from either side. `group`: you become OWNER, the others MEMBER (your own id in `memberIds` is ignored).",
  requestBody: jsonBody(ZCreateConversationRequestSchema),
  responses: {
    "200": ok("The direct conversation already existed.", ZConversationResponseSchema),
    "201": ok("Created.", ZConversationResponseSchema),
    ...errors(
      JSON_BODY,
      { 400: "a direct conversation with yourself; too many members" },
      CALLER,
      {
        403: "the direct conversation was removed by a moderator",
        404: "`user not found…`: an id is not an active user",
      },
      SERVER,
    ),
  },
};

const addMembers: ZodOpenApiOperationObject = {
  operationId: "addMembers",
  tags: ["conversations"],
  summary: "Add users to a group (OWNER and ADMIN only); users already in it are skipped",
  requestParams: { path: ZIdParamsSchema },
  requestBody: jsonBody(ZAddMembersRequestSchema),
  responses: {
    "200": ok("The updated conversation.", ZConversationResponseSchema),
    ...errors(
      PATH_ID,
      JSON_BODY,
      CALLER,
      {
        403: "not a group, or you are a plain MEMBER",
        404: "you are not a member (or no such conversation), or a user id is not an active user",
        409: `the group would exceed ${LIMITS.groupMaxMembers} members`,
      },
      SERVER,
    ),
  },
};

const removeMember: ZodOpenApiOperationObject = {
  operationId: "removeMember",
  tags: ["conversations"],
  summary: "Remove a member from a group; your own id means leaving",
  description: "OWNERs remove anyone, ADMINs only MEMBERs, MEMBERs nobody.",
  requestParams: { path: ZMemberParamsSchema },
  responses: {
    "204": NO_CONTENT,
    ...errors(
      PATH_ID,
      CALLER,
      {
        403: "not a group, or your role does not allow it",
        404: "you are not a member, or the user is not a member",
        409: "cannot remove the last owner",
      },
      SERVER,
    ),
  },
};

const leaveConversation: ZodOpenApiOperationObject = {
  operationId: "leaveConversation",
  tags: ["conversations"],
  summary: "Leave a group (no body)",
  description:
    "When the last OWNER leaves, the longest-standing ADMIN (else MEMBER) becomes OWNER; when the last member leaves, the group is deleted.",
  requestParams: { path: ZIdParamsSchema },
  responses: {
    "204": NO_CONTENT,
    ...errors(
      PATH_ID,
      CALLER,
      {
        403: "direct conversations cannot be left (mute them instead)",
        404: "you are not a member",
      },
      SERVER,
    ),
  },
};

const updateSettings: ZodOpenApiOperationObject = {
  operationId: "updateConversationSettings",
  tags: ["conversations"],
  summary: "Your own settings for a conversation: mute until a time, or `null` to unmute",
  requestParams: { path: ZIdParamsSchema },
  requestBody: jsonBody(ZConversationSettingsRequestSchema),
  responses: {
    "200": ok("The conversation as you see it.", ZConversationResponseSchema),
    ...errors(PATH_ID, JSON_BODY, CALLER, { 404: "you are not a member" }, SERVER),
  },
};

const listMessages: ZodOpenApiOperationObject = {
  operationId: "listMessages",
  tags: ["messages"],
  summary: "A page of history, ascending seq (the REST form of `message:history`)",
  description: `Without a cursor, the latest page. \`beforeSeq\` (≥ 1) or \`afterSeq\` (≥ 0), not both; \`limit\` 1–${LIMITS.historyPageMax} (default ${LIMITS.historyPageDefault}). Page with \`afterSeq\` = the last seq you have until \`hasMore\` is false.`,
  requestParams: { path: ZIdParamsSchema, query: ZMessageHistoryQuerySchema },
  responses: {
    "200": ok("Messages in ascending seq order.", ZMessageHistoryResultSchema),
    ...errors(
      PATH_ID,
      QUERY,
      { 400: "both `beforeSeq` and `afterSeq`" },
      CALLER,
      { 403: "you are not a member of this conversation (unknown conversations answer the same)" },
      SERVER,
    ),
  },
};

const registerDevice: ZodOpenApiOperationObject = {
  operationId: "registerDevice",
  tags: ["devices"],
  summary: "Register a push token (a known token moves to you and is re-enabled)",
  requestBody: jsonBody(ZRegisterDeviceRequestSchema),
  responses: {
    "200": ok("The token was already known.", ZDeviceResponseSchema),
    "201": ok("A new device.", ZDeviceResponseSchema),
    ...errors(JSON_BODY, CALLER, SERVER),
  },
};

const deleteDevice: ZodOpenApiOperationObject = {
  operationId: "deleteDevice",
  tags: ["devices"],
  summary: "Unregister one of your push devices",
  requestParams: { path: ZIdParamsSchema },
  responses: {
    "204": NO_CONTENT,
    ...errors(PATH_ID, CALLER, { 404: "unknown id or someone else's device" }, SERVER),
  },
};

const getPushSettings: ZodOpenApiOperationObject = {
  operationId: "getPushSettings",
  tags: ["devices"],
  summary: "What your push notifications show",
  description:
    "`full`: sender and text; `sender`: only who wrote; `id_only`: no content at all (the app fetches the message itself).",
  responses: {
    "200": ok("Your push settings.", ZPushSettingsSchema),
    ...errors(CALLER, SERVER),
  },
};

const updatePushSettings: ZodOpenApiOperationObject = {
  operationId: "updatePushSettings",
  tags: ["devices"],
  summary: "Choose what your push notifications show (applies to pushes already queued)",
  requestBody: jsonBody(ZUpdatePushSettingsRequestSchema),
  responses: {
    "200": ok("Your push settings.", ZPushSettingsSchema),
    ...errors(JSON_BODY, CALLER, SERVER),
  },
};

const revokeAllSessions: ZodOpenApiOperationObject = {
  operationId: "revokeAllSessions",
  tags: ["auth"],
  summary: "Sign out everywhere: end every session of your account, this one included (no body)",
  description:
    'Every browser session, every refresh token and every access token issued until now stop working (401 `session revoked; sign in again`), and your sockets on every realtime node get `session:revoked {reason: "logged_out"}` and are disconnected. Sign in again afterwards. With the session cookie the request must come from the app\'s own origin.',
  responses: {
    "204": NO_CONTENT,
    ...errors(CALLER, { 403: "a cookie-authenticated request from another site" }, SERVER),
  },
};

const createReport: ZodOpenApiOperationObject = {
  operationId: "createReport",
  tags: ["moderation"],
  summary: "Report a message to the moderators (members only; once per message)",
  description:
    'Answers 202 with `{status: "received"}` whatever happens next; reporting the same message again changes nothing. Rate-limited per user.',
  requestBody: jsonBody(ZReportRequestSchema),
  responses: {
    "202": ok("Received.", ZReportReceiptSchema),
    ...errors(
      JSON_BODY,
      CALLER,
      { 403: "you are not a member of the conversation, or your account is suspended or banned" },
      { 404: "no such message" },
      { 429: "too many reports" },
      SERVER,
    ),
  },
};

const getOpenApiDocument: ZodOpenApiOperationObject = {
  operationId: "getOpenApiDocument",
  tags: ["meta"],
  summary: "This document",
  ...PUBLIC,
  responses: { "200": ok("The OpenAPI 3.1 document.", ZOpenApiDocumentSchema) },
};

const PATHS: ZodOpenApiPathsObject = {
  "/api/v1/auth/signup": { post: signUp },
  "/api/v1/auth/token": { post: issueToken },
  "/api/v1/auth/refresh": { post: refreshToken },
  "/api/v1/auth/realtime-token": { get: realtimeToken },
  "/api/v1/users": { get: searchUsers },
  "/api/v1/conversations": { get: listConversations, post: createConversation },
  "/api/v1/conversations/{id}/members": { post: addMembers },
  "/api/v1/conversations/{id}/members/{userId}": { delete: removeMember },
  "/api/v1/conversations/{id}/leave": { post: leaveConversation },
  "/api/v1/conversations/{id}/settings": { patch: updateSettings },
  "/api/v1/conversations/{id}/messages": { get: listMessages },
  "/api/v1/devices": { post: registerDevice },
  "/api/v1/devices/{id}": { delete: deleteDevice },
  "/api/v1/me/push": { get: getPushSettings, patch: updatePushSettings },
  "/api/v1/me/sessions/revoke-all": { post: revokeAllSessions },
  "/api/v1/reports": { post: createReport },
  [OPENAPI_DOCUMENT_PATH]: { get: getOpenApiDocument },
};

/**
 * Registering the shared schemas by name (instead of `.meta({ id })` in
 * schemas.ts) keeps them untouched: `.meta` would put ids into zod's global
 * registry and change every other `z.toJSONSchema` of them.
 */
const COMPONENT_SCHEMAS = {
  User: ZUserPublicSchema,
  Message: ZMessageSchema,
  ConversationMember: ZConversationMemberSchema,
  ConversationSummary: ZConversationSummarySchema,
  Device: ZDeviceSchema,
  TokenPair: ZTokenPairSchema,
  AuthTokens: ZAuthTokensSchema,
  RealtimeToken: ZRealtimeTokenSchema,
  MessageHistory: ZMessageHistoryResultSchema,
  ErrorCode: ZErrorCodeSchema,
  ErrorBody: ZErrorBodySchema,
  Error: ZAckErrorSchema,
  SignupRequest: ZSignupRequestSchema,
  TokenRequest: ZTokenRequestSchema,
  RefreshRequest: ZRefreshRequestSchema,
  CreateConversationRequest: ZCreateConversationRequestSchema,
  AddMembersRequest: ZAddMembersRequestSchema,
  ConversationSettingsRequest: ZConversationSettingsRequestSchema,
  RegisterDeviceRequest: ZRegisterDeviceRequestSchema,
  ReportRequest: ZReportRequestSchema,
  PushSettings: ZPushSettingsSchema,
  UpdatePushSettingsRequest: ZUpdatePushSettingsRequestSchema,
} satisfies Record<string, z.ZodType>;

/** The OpenAPI 3.1 document of every REST v1 route of apps/web. */
export function buildOpenApiDocument(opts: { serverUrl?: string } = {}): TOpenApiDocument {
  return createDocument(
    {
      openapi: "3.1.1",
      info: {
        title: "Relay REST API",
        version: `${PROTOCOL_VERSION}`,
        description:
          "REST v1 of apps/web, generated from the zod schemas in packages/shared. Success bodies are bare shapes; errors use the `{ok: false, error: {code, message}}` envelope with the matching HTTP status. Request bodies and queries are strict: unknown keys are rejected. Responses may gain fields in later v1 releases. Prose: docs/api.md.",
      },
      ...(opts.serverUrl === undefined ? {} : { servers: [{ url: opts.serverUrl }] }),
      tags: [
        { name: "auth", description: "Accounts and tokens" },
        { name: "users", description: "People" },
        { name: "conversations", description: "Conversations and members" },
        { name: "messages", description: "History (live messages go through the socket)" },
        { name: "devices", description: "Push tokens and push privacy" },
        { name: "meta", description: "This document" },
      ],
      security: [{ bearerAuth: [] }, { sessionCookie: [] }],
      paths: PATHS,
      components: {
        schemas: COMPONENT_SCHEMAS,
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "The access token from `POST /api/v1/auth/token` (HS256, 15 minutes).",
          },
          sessionCookie: {
            type: "apiKey",
            in: "cookie",
            name: "authjs.session-token",
            description:
              "The browser's next-auth session (`__Secure-authjs.session-token` over HTTPS).",
          },
        },
      },
    },
    {
      // Entity and result schemas are plain (stripping) objects on purpose:
      // v1 may add response fields. zod renders them closed for output
      // (`additionalProperties: false`), which would make clients that
      // validate against this document reject those additions.
      override: ({ jsonSchema, zodSchema, io }) => {
        const def = zodSchema._zod.def;
        if (io === "output" && def.type === "object" && def.catchall === undefined) {
          delete jsonSchema.additionalProperties;
        }
      },
    },
  );
}
