// @relay/core/push-worker: what only the push worker needs (BullMQ Worker,
// firebase-admin, apns2). Kept off the main entry so web, admin and realtime
// never load the provider SDKs.
export * from "./apns";
export * from "./fcm";
export * from "./processor";
export * from "./provider";
export * from "./worker";
