// GET/PATCH /api/v1/me/push: the caller's push privacy mode.
import { describe, expect, it } from "vitest";
import { ZPushSettingsSchema } from "@relay/shared/schemas";
import { GET, PATCH } from "../src/app/api/v1/me/push/route";
import { getDeps } from "../src/server/deps";
import { bodyOf, call, errorOf, newAccount } from "./helpers";

describe("push settings", () => {
  it("defaults to full previews, changes to sender / id_only, and is stored for the worker", async () => {
    const me = await newAccount();
    const initial = await call(GET, { token: me.accessToken });
    expect(initial.status).toBe(200);
    expect(bodyOf(initial, ZPushSettingsSchema)).toEqual({ preview: "full" });

    for (const preview of ["sender", "id_only", "full"] as const) {
      const res = await call(PATCH, { token: me.accessToken, method: "PATCH", body: { preview } });
      expect(res.status).toBe(200);
      expect(bodyOf(res, ZPushSettingsSchema)).toEqual({ preview });
    }
    await call(PATCH, { token: me.accessToken, method: "PATCH", body: { preview: "id_only" } });
    const row = await getDeps().db.user.findUniqueOrThrow({ where: { id: me.id } });
    expect(row.pushPreview).toBe("ID_ONLY");
    expect(bodyOf(await call(GET, { token: me.accessToken }), ZPushSettingsSchema)).toEqual({
      preview: "id_only",
    });
  });

  it("refuses bad input (400) and strangers (401)", async () => {
    const me = await newAccount();
    for (const body of [{ preview: "everything" }, { preview: "full", extra: 1 }, {}]) {
      const res = await call(PATCH, { token: me.accessToken, method: "PATCH", body });
      expect(res.status).toBe(400);
      expect(errorOf(res).code).toBe("INVALID_PAYLOAD");
    }
    const anonymous = await call(PATCH, { method: "PATCH", body: { preview: "full" } });
    expect(anonymous.status).toBe(401);
    expect(errorOf(anonymous).code).toBe("UNAUTHORIZED");
    expect((await call(GET, {})).status).toBe(401);
  });
});
