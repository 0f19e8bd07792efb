import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DELETE as deleteDevice } from "../src/app/api/v1/devices/[id]/route";
import { POST as registerDevice } from "../src/app/api/v1/devices/route";
import { getDeps } from "../src/server/deps";
import { bodyOf, call, errorOf, newAccount } from "./helpers";

const ZDeviceBodySchema = z.object({
  device: z.object({
    id: z.uuid(),
    platform: z.enum(["fcm", "apns"]),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime(),
  }),
});

describe("devices", () => {
  it("registers (201), re-registers (200), moves a token to its new owner and deletes own devices only", async () => {
    const me = await newAccount();
    const other = await newAccount();
    const token = `fcm-${randomUUID()}`;

    const first = await call(registerDevice, {
      token: me.accessToken,
      body: { platform: "fcm", token },
    });
    expect(first.status).toBe(201);
    const { device } = bodyOf(first, ZDeviceBodySchema);
    expect(device.platform).toBe("fcm");
    expect(JSON.stringify(first.body)).not.toContain(token);

    await getDeps().db.device.update({
      where: { id: device.id },
      data: { disabledAt: new Date() },
    });
    const again = await call(registerDevice, {
      token: me.accessToken,
      body: { platform: "fcm", token },
    });
    expect(again.status).toBe(200);
    expect(bodyOf(again, ZDeviceBodySchema).device.id).toBe(device.id);
    expect(
      (await getDeps().db.device.findUniqueOrThrow({ where: { id: device.id } })).disabledAt,
    ).toBeNull();

    const taken = await call(registerDevice, {
      token: other.accessToken,
      body: { platform: "fcm", token },
    });
    expect(taken.status).toBe(200);
    expect((await getDeps().db.device.findUniqueOrThrow({ where: { id: device.id } })).userId).toBe(
      other.id,
    );

    const notMine = await call(deleteDevice, {
      token: me.accessToken,
      method: "DELETE",
      params: { id: device.id },
    });
    expect([notMine.status, errorOf(notMine).code]).toEqual([404, "NOT_FOUND"]);
    const mine = await call(deleteDevice, {
      token: other.accessToken,
      method: "DELETE",
      params: { id: device.id },
    });
    expect(mine.status).toBe(204);
    expect(await getDeps().db.device.findUnique({ where: { id: device.id } })).toBeNull();
  });

  it("validates the platform and the id", async () => {
    const me = await newAccount();
    const bad = await call(registerDevice, {
      token: me.accessToken,
      body: { platform: "sms", token: "x" },
    });
    expect([bad.status, errorOf(bad).code]).toEqual([400, "INVALID_PAYLOAD"]);
    expect(errorOf(bad).message).toContain("platform");
    const badId = await call(deleteDevice, {
      token: me.accessToken,
      method: "DELETE",
      params: { id: "42" },
    });
    expect([badId.status, errorOf(badId).code]).toEqual([400, "INVALID_PAYLOAD"]);
  });
});
