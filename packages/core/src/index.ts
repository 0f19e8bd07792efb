// @relay/core: Relay's domain. Every use case is a function here, called the
// same way by every entry point (REST, sockets, admin, workers); apps are
// transports. Server-only: never import this from browser code.
export * from "./deps";
export * from "./stores";
export * from "./logger";
export * from "./errors";
export * from "./redis-keys";
export * from "./rate-limits";
export * from "./health";
export * from "./http/client-ip";
export * from "./process";
export * from "./events/port";
export * from "./events/emitter";
export * from "./auth/tokens";
export * from "./auth/access";
export * from "./auth/credential-guard";
export * from "./auth/refresh-tokens";
export * from "./auth/sessions";
export * from "./users/users";
export * from "./users/last-seen";
export * from "./conversations/membership";
export * from "./conversations/access";
export * from "./conversations/contacts";
export * from "./conversations/conversations";
export * from "./devices/devices";
export * from "./messages/wire";
export * from "./messages/sequencer";
export * from "./messages/send-message";
export * from "./messages/message-history";
export * from "./messages/change-message";
export * from "./receipts/receipts";
export * from "./sync/sync";
export * from "./typing/typing";
export * from "./auth/staff";
export * from "./moderation/index";
export * from "./ops/node-registry";
export * from "./demo";
export * from "./ops/node-stats";
export * from "./presence/presence-state";
export * from "./push/keys";
export * from "./push/policy";
export * from "./push/payload";
export * from "./push/queue";
export * from "./push/settings";

// Row types apps see (Prisma models), so apps import nothing from @relay/db.
export type { User } from "@relay/db";
