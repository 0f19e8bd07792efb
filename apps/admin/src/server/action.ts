// How every server action of the console runs: the staff check (no session →
// /signin; a role below `min` → a FORBIDDEN result the form shows; an admin
// who must enrol TOTP → /account/2fa), the shared zod schema, the core use
// case, then revalidation of the pages that show the change. Results are
// plain data for `useActionState`; core's AppErrors become their message.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { isStoreUnavailable } from "@relay/core";
import { AppError, type TErrorCode } from "@relay/shared/errors";
import { parsePayload } from "@relay/shared/protocol";
import type { TActionState } from "./action-state";
import { getDeps, type AdminDeps } from "./deps";
import { signInPath, staffState, type TStaff, type TStaffRole } from "./staff";

const sentence = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

function failed(code: TErrorCode, message: string): TActionState {
  return { status: "error", code, message: sentence(message), at: Date.now() };
}

/** The staff member allowed to run an action needing `min`, or the refusal to return. */
async function actionStaff(
  min: TStaffRole,
  opts: { allowEnrollment?: boolean },
): Promise<TStaff | TActionState> {
  const state = await staffState(await headers(), min, opts);
  if (state.kind === "anonymous" || state.kind === "revoked") redirect(signInPath(state));
  if (state.kind === "enroll") redirect("/account/2fa");
  if (state.kind === "forbidden")
    return failed(
      "FORBIDDEN",
      min === "ADMIN" ? "Admins only: your role cannot do this." : "Moderators and admins only.",
    );
  return state.staff;
}

export async function runStaffAction<S extends z.ZodType>(opts: {
  min: TStaffRole;
  schema: S;
  input: unknown;
  allowEnrollment?: boolean;
  /** Does the work through core; returns the sentence shown on success. */
  run: (deps: AdminDeps, staff: TStaff, input: z.output<S>) => Promise<string>;
  /** Pages whose data changed. */
  revalidate?: (input: z.output<S>) => string[];
}): Promise<TActionState> {
  const staff = await actionStaff(opts.min, { allowEnrollment: opts.allowEnrollment ?? false });
  if ("status" in staff) return staff;
  const parsed = parsePayload(opts.schema, opts.input);
  if (!parsed.ok) return failed(parsed.error.code, parsed.error.message);
  const deps = getDeps();
  let message: string;
  try {
    message = await opts.run(deps, staff, parsed.data);
  } catch (err) {
    if (err instanceof AppError) return failed(err.code, err.message);
    if (isStoreUnavailable(err))
      return failed("UNAVAILABLE", "a store is unavailable; nothing was changed, try again");
    deps.logger.error({ err }, "admin action failed");
    return failed("INTERNAL", "something went wrong; check the audit log before retrying");
  }
  for (const path of opts.revalidate?.(parsed.data) ?? []) revalidatePath(path);
  return { status: "ok", message, at: Date.now() };
}

/** The named string fields of a form; blank ones are left out (so optional schema fields stay unset). */
export function formFields<K extends string>(
  form: FormData,
  names: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const v = form.get(name);
    if (typeof v === "string" && v.trim() !== "") out[name] = v;
  }
  return out;
}

/** A whole number of minutes from a select, or null for "until lifted" (blank); anything else stays as is for the schema to refuse. */
export function minutesOrNull(v: string | undefined): number | null | string {
  if (v === undefined || v === "" || v === "indefinite") return null;
  return /^\d+$/.test(v) ? Number(v) : v;
}
