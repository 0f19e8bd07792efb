export { Brand } from "./brand";
export { Card } from "./card";
export { StatusDot, type TStatus } from "./status-dot";
