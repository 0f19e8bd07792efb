// The caller's push privacy setting (GET/PATCH /api/v1/me/push). Read by the
// worker just before each send, so a change applies to pushes already queued.
import type { PushPreview, PrismaClient } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type { TPushPreview, TPushSettings } from "@relay/shared/schemas";
import { orUnavailable } from "../errors";

const TO_DB = { full: "FULL", sender: "SENDER", id_only: "ID_ONLY" } as const;
const FROM_DB = { FULL: "full", SENDER: "sender", ID_ONLY: "id_only" } as const;

export const previewFromDb = (p: PushPreview): TPushPreview => FROM_DB[p];

export async function getPushSettings(
  deps: { db: PrismaClient },
  input: { userId: string },
): Promise<TPushSettings> {
  const user = await orUnavailable("database", () =>
    deps.db.user.findUnique({ where: { id: input.userId }, select: { pushPreview: true } }),
  );
  if (!user) throw new AppError("NOT_FOUND", "user not found");
  return { preview: previewFromDb(user.pushPreview) };
}

export async function updatePushSettings(
  deps: { db: PrismaClient },
  input: { userId: string; preview: TPushPreview },
): Promise<TPushSettings> {
  const user = await orUnavailable("database", () =>
    deps.db.user.update({
      where: { id: input.userId },
      data: { pushPreview: TO_DB[input.preview] },
      select: { pushPreview: true },
    }),
  );
  return { preview: previewFromDb(user.pushPreview) };
}
