// Opaque keyset cursors for the admin lists ("after this row"), so pages stay
// fast at any depth: base64url JSON of the sort key of the last row.
import { z } from "zod";
import { AppError } from "@relay/shared/errors";

const ZCursorSchema = z.object({ at: z.iso.datetime({ offset: true }), id: z.uuid() });
export type TCursor = z.infer<typeof ZCursorSchema>;

export function encodeCursor(c: TCursor): string {
  return Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
}

/** undefined → no cursor; anything malformed → INVALID_PAYLOAD. */
export function decodeCursor(raw: string | undefined): TCursor | null {
  if (!raw) return null;
  try {
    return ZCursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw new AppError("INVALID_PAYLOAD", "cursor: invalid");
  }
}
