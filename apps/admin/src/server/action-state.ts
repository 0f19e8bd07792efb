// What a server action answers a form with (client-safe: no server imports).
import type { TErrorCode } from "@relay/shared/errors";

export type TActionState =
  | { status: "idle" }
  | { status: "ok"; message: string; at: number }
  | { status: "error"; code: TErrorCode; message: string; at: number };

export const IDLE: TActionState = { status: "idle" };
