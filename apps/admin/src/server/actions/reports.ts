"use server";
// One-click actions of the report queue: each resolves every open report of
// the message (delete it, suspend its author, or dismiss), with a reason.
import { resolveReports } from "@relay/core";
import { ZResolveReportsRequestSchema } from "@relay/shared/schemas";
import { formFields, minutesOrNull, runStaffAction } from "../action";
import type { TActionState } from "../action-state";

const DONE = {
  delete_message: "Message deleted",
  suspend_author: "Author suspended",
  dismiss: "Dismissed",
} as const;

export async function resolveReportsAction(_prev: TActionState, form: FormData) {
  const f = formFields(form, ["messageId", "action", "reason", "suspendMinutes"]);
  return runStaffAction({
    min: "MODERATOR",
    schema: ZResolveReportsRequestSchema,
    input: { ...f, suspendMinutes: minutesOrNull(f.suspendMinutes) },
    run: async (deps, staff, input) => {
      const { resolved } = await resolveReports(deps, staff.ctx, {
        ...input,
        suspendMinutes: input.suspendMinutes,
      });
      return `${DONE[input.action]}; ${resolved} report${resolved === 1 ? "" : "s"} closed.`;
    },
    revalidate: () => ["/reports", "/audit"],
  });
}
