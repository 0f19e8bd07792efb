export * from "./roles";
export * from "./audit";
export * from "./cursor";
export * from "./deny-list";
export * from "./sanctions";
export * from "./reports";
export * from "./admin-users";
export * from "./admin-conversations";
