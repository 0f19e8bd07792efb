export { Avatar, initialsOf } from "./avatar";
export { Badge } from "./badge";
export { Brand } from "./brand";
export { Button } from "./button";
export { Card } from "./card";
export { StatusDot, type TStatus } from "./status-dot";
export { TextField } from "./text-field";
