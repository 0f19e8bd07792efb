// Push devices (FCM / APNs tokens). A token belongs to one device, hence to
// whoever registered it last: re-registering a token moves it to the caller,
// re-enables it (clears disabledAt set after a provider rejected it) and
// refreshes lastUsedAt.
import type { Device, PrismaClient } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type { TDevice, TRegisterDeviceRequest } from "@relay/shared/schemas";
import { isUniqueViolation } from "../errors";

export interface DevicesDeps {
  db: PrismaClient;
  /** Clock, for tests. */
  now?: () => Date;
}

const PLATFORM_TO_DB = { fcm: "FCM", apns: "APNS" } as const;

export function toDeviceView(d: Device): TDevice {
  return {
    id: d.id,
    platform: d.platform === "FCM" ? "fcm" : "apns",
    createdAt: d.createdAt.toISOString(),
    lastUsedAt: d.lastUsedAt.toISOString(),
  };
}

/** Registers (or takes over) a push token for `userId`. `created` is false when the token was already known. */
export async function registerDevice(
  deps: DevicesDeps,
  input: { userId: string } & TRegisterDeviceRequest,
): Promise<{ device: TDevice; created: boolean }> {
  const now = deps.now?.() ?? new Date();
  const platform = PLATFORM_TO_DB[input.platform];
  const update = () =>
    deps.db.device.update({
      where: { token: input.token },
      data: { userId: input.userId, platform, disabledAt: null, lastUsedAt: now },
    });

  if (await deps.db.device.findUnique({ where: { token: input.token }, select: { id: true } })) {
    return { device: toDeviceView(await update()), created: false };
  }
  try {
    const device = await deps.db.device.create({
      data: { userId: input.userId, platform, token: input.token, lastUsedAt: now },
    });
    return { device: toDeviceView(device), created: true };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return { device: toDeviceView(await update()), created: false }; // registered concurrently
  }
}

/** Deletes one of the caller's devices; someone else's or an unknown id is NOT_FOUND. */
export async function deleteDevice(
  deps: DevicesDeps,
  input: { userId: string; deviceId: string },
): Promise<void> {
  const { count } = await deps.db.device.deleteMany({
    where: { id: input.deviceId, userId: input.userId },
  });
  if (count === 0) throw new AppError("NOT_FOUND", "device not found");
}
