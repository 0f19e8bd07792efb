// DELETE /api/v1/devices/:id → 204 (own devices only; anything else 404)
import { deleteDevice } from "@relay/core";
import { ZIdParamsSchema } from "@relay/shared/schemas";
import { authedRoute, noContent, parseParams } from "@/server/route";

export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ id: string }>(async ({ params, deps, user }) => {
  const { id } = parseParams(params, ZIdParamsSchema);
  await deleteDevice(deps, { userId: user.id, deviceId: id });
  return noContent();
});
