// POST /api/v1/devices {platform:"fcm"|"apns", token} → 201 {device} (200 when the token was known)
import { registerDevice } from "@relay/core";
import { ZRegisterDeviceRequestSchema } from "@relay/shared/schemas";
import { authedRoute, json, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = authedRoute(async ({ req, deps, user }) => {
  const input = await readJson(req, ZRegisterDeviceRequestSchema);
  const { device, created } = await registerDevice(deps, { userId: user.id, ...input });
  return json({ device }, created ? 201 : 200);
});
