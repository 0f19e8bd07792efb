// The one wrapper of the console's route handlers (/api/ops, /audit/export.csv):
// the same staff check as the pages (src/server/staff.ts), answered as JSON —
// 401 without a live console session, 403 below the role needed (or before an
// admin enrolled TOTP when it is required) — and errors mapped like REST v1.
import { isStoreUnavailable } from "@relay/core";
import { AppError, HTTP_STATUS_BY_CODE, fail, toErrorBody } from "@relay/shared/errors";
import { getDeps, type AdminDeps } from "./deps";
import { staffState, type TStaff, type TStaffRole } from "./staff";

const NO_STORE = { "cache-control": "no-store" };

export function errorResponse(err: unknown): Response {
  const body =
    isStoreUnavailable(err) && !(err instanceof AppError)
      ? fail("UNAVAILABLE", "service temporarily unavailable")
      : toErrorBody(err);
  if (body.error.code === "INTERNAL")
    getDeps().logger.error({ err }, "unhandled error in admin route");
  return Response.json(body, { status: HTTP_STATUS_BY_CODE[body.error.code], headers: NO_STORE });
}

export const json = (data: unknown, status = 200) =>
  Response.json(data, { status, headers: NO_STORE });

/** A route handler for staff of at least `min`. */
export function staffRoute(
  min: TStaffRole,
  fn: (ctx: { req: Request; staff: TStaff; deps: AdminDeps }) => Promise<Response>,
): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      const state = await staffState(req.headers, min);
      switch (state.kind) {
        case "anonymous":
          throw new AppError("UNAUTHORIZED", "sign in to the admin console");
        case "revoked":
          throw new AppError("UNAUTHORIZED", `session ended (${state.reason}); sign in again`);
        case "forbidden":
          throw new AppError(
            "FORBIDDEN",
            min === "ADMIN" ? "admins only" : "moderators and admins only",
          );
        case "enroll":
          throw new AppError("FORBIDDEN", "enrol two-factor authentication first (/account/2fa)");
        case "ok":
          return await fn({ req, staff: state.staff, deps: getDeps() });
      }
    } catch (err) {
      return errorResponse(err);
    }
  };
}
