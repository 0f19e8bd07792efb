"use server";
// One-click actions of the report queue: each resolves every open report of
// the message (delete it, suspend its author, or dismiss), with a reason.
import { resolveReports } from "@relay/core";
import { ZResolveReportsRequestSchema } from "@relay/shared/schemas";
import { staffAction } from "../action";

const DONE = {
  delete_message: "Message deleted",
  suspend_author: "Author suspended",
  dismiss: "Dismissed",
} as const;

export const resolveReportsAction = staffAction(
  "MODERATOR",
  ZResolveReportsRequestSchema,
  async (deps, ctx, input) => {
    const { resolved } = await resolveReports(deps, ctx, input);
    return `${DONE[input.action]}; ${resolved} report${resolved === 1 ? "" : "s"} closed.`;
  },
  { revalidate: ["/reports", "/audit"], minutes: ["suspendMinutes"] },
);
