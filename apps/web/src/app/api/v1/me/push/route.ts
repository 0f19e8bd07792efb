// GET /api/v1/me/push → {preview}; PATCH {preview: "full"|"sender"|"id_only"} → {preview}
// What the caller's push notifications show (applies to pushes already queued).
import { getPushSettings, updatePushSettings } from "@relay/core";
import { ZUpdatePushSettingsRequestSchema } from "@relay/shared/schemas";
import { authedRoute, json, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ deps, user }) =>
  json(await getPushSettings(deps, { userId: user.id })),
);

export const PATCH = authedRoute(async ({ req, deps, user }) => {
  const { preview } = await readJson(req, ZUpdatePushSettingsRequestSchema);
  return json(await updatePushSettings(deps, { userId: user.id, preview }));
});
