export * from "./tokens";
export * from "./membership";
export * from "./redis-keys";
