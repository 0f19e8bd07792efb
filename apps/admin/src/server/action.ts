// How every server action of the console runs (`staffAction`): the staff
// check (no session → /signin; a role below `min` → a FORBIDDEN result the
// form shows; an admin who must enrol TOTP → /account/2fa), the shared zod
// schema, the core use case, then revalidation of the pages that show the
// change. Results are plain data for `useActionState`; core's AppErrors
// become their message.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { isStoreUnavailable, type TModerationContext } from "@relay/core";
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

/**
 * A server action for `useActionState`: staff of at least `min` (see
 * `actionStaff`), the form's fields named by the schema's keys (blank ones
 * left out) parsed with `schema`, then `run` — the core use case with the
 * staff member's moderation context, answering the sentence shown on success
 * — and the pages in `revalidate`.
 */
export function staffAction<S extends z.ZodObject>(
  min: TStaffRole,
  schema: S,
  run: (deps: AdminDeps, ctx: TModerationContext, input: z.output<S>) => Promise<string>,
  opts: {
    /** Pages whose data changed. */
    revalidate?: string[] | ((input: z.output<S>) => string[]);
    /** For the TOTP enrolment itself: an admin who must enrol may run it. */
    allowEnrollment?: boolean;
    /** Fields from a duration select: whole minutes, or null for "until lifted" (blank). */
    minutes?: ReadonlyArray<keyof S["shape"] & string>;
  } = {},
): (prev: TActionState, form: FormData) => Promise<TActionState> {
  const names = Object.keys(schema.shape);
  return async (_prev, form) => {
    const staff = await actionStaff(min, { allowEnrollment: opts.allowEnrollment ?? false });
    if ("status" in staff) return staff;
    const fields: Record<string, unknown> = formFields(form, names);
    for (const name of opts.minutes ?? [])
      fields[name] = minutesOrNull(fields[name] as string | undefined);
    const parsed = parsePayload(schema, fields);
    if (!parsed.ok) return failed(parsed.error.code, parsed.error.message);
    const deps = getDeps();
    let message: string;
    try {
      message = await run(deps, staff.ctx, parsed.data);
    } catch (err) {
      if (err instanceof AppError) return failed(err.code, err.message);
      if (isStoreUnavailable(err))
        return failed("UNAVAILABLE", "a store is unavailable; nothing was changed, try again");
      deps.logger.error({ err }, "admin action failed");
      return failed("INTERNAL", "something went wrong; check the audit log before retrying");
    }
    const paths =
      typeof opts.revalidate === "function"
        ? opts.revalidate(parsed.data)
        : (opts.revalidate ?? []);
    for (const path of paths) revalidatePath(path);
    return { status: "ok", message, at: Date.now() };
  };
}

/** The named string fields of a form; blank ones are left out (so optional schema fields stay unset). */
function formFields<K extends string>(
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
function minutesOrNull(v: string | undefined): number | null | string {
  if (v === undefined || v === "" || v === "indefinite") return null;
  return /^\d+$/.test(v) ? Number(v) : v;
}
