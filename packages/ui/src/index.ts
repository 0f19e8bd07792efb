export { Avatar, initialsOf } from "./avatar";
export { Badge } from "./badge";
export { Brand } from "./brand";
export { Button } from "./button";
export { Card } from "./card";
export { FormError } from "./form-error";
export { StatusDot, type TStatus } from "./status-dot";
export { TextField } from "./text-field";
