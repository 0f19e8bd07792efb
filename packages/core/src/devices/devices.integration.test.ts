import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createTestUser, openTestStores, type TestStores } from "../testing";
import { deleteDevice, registerDevice } from "./devices";

const s: TestStores = openTestStores();
afterAll(async () => {
  await s?.close();
});

describe("devices", () => {
  it("registers a token once; re-registering moves it to the caller and re-enables it", async () => {
    const alice = await createTestUser(s.db);
    const bob = await createTestUser(s.db);
    const token = `fcm-${randomUUID()}`;

    const first = await registerDevice(s, { userId: alice.id, platform: "fcm", token });
    expect(first).toMatchObject({ created: true, device: { platform: "fcm" } });
    const again = await registerDevice(s, { userId: alice.id, platform: "fcm", token });
    expect(again).toMatchObject({ created: false, device: { id: first.device.id } });

    await s.db.device.update({ where: { id: first.device.id }, data: { disabledAt: new Date() } });
    const moved = await registerDevice(s, { userId: bob.id, platform: "fcm", token });
    expect(moved.device.id).toBe(first.device.id);
    const row = await s.db.device.findUniqueOrThrow({ where: { token } });
    expect(row).toMatchObject({ userId: bob.id, disabledAt: null, platform: "FCM" });
  });

  it("handles concurrent registrations of one token", async () => {
    const user = await createTestUser(s.db);
    const token = `apns-${randomUUID()}`;
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => registerDevice(s, { userId: user.id, platform: "apns", token })),
    );
    expect(new Set(results.map((r) => r.device.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it("deletes only the caller's own devices", async () => {
    const alice = await createTestUser(s.db);
    const bob = await createTestUser(s.db);
    const { device } = await registerDevice(s, {
      userId: alice.id,
      platform: "apns",
      token: `apns-${randomUUID()}`,
    });
    await expect(deleteDevice(s, { userId: bob.id, deviceId: device.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await deleteDevice(s, { userId: alice.id, deviceId: device.id });
    expect(await s.db.device.findUnique({ where: { id: device.id } })).toBeNull();
    await expect(deleteDevice(s, { userId: alice.id, deviceId: device.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
