"use server";
// Account actions of /users/[id]: each one the core use case, with the
// reason the moderator typed (audited), then the user's pages revalidated.
import { banUser, changeRole, forceLogout, liftSanction, suspendUser } from "@relay/core";
import {
  ZBanUserRequestSchema,
  ZChangeRoleRequestSchema,
  ZSuspendUserRequestSchema,
  ZUserActionRequestSchema,
} from "@relay/shared/schemas";
import { formFields, minutesOrNull, runStaffAction } from "../action";
import type { TActionState } from "../action-state";

const userPages = (input: { userId: string }) => ["/users", `/users/${input.userId}`];

function durationText(minutes: number | null): string {
  if (minutes === null) return "until lifted";
  if (minutes % 1440 === 0) return `for ${minutes / 1440} day${minutes === 1440 ? "" : "s"}`;
  if (minutes % 60 === 0) return `for ${minutes / 60} hour${minutes === 60 ? "" : "s"}`;
  return `for ${minutes} minutes`;
}

export async function suspendUserAction(_prev: TActionState, form: FormData) {
  const f = formFields(form, ["userId", "reason", "note", "durationMinutes"]);
  return runStaffAction({
    min: "MODERATOR",
    schema: ZSuspendUserRequestSchema,
    input: { ...f, durationMinutes: minutesOrNull(f.durationMinutes) },
    run: async (deps, staff, input) => {
      await suspendUser(deps, staff.ctx, { ...input, durationMinutes: input.durationMinutes });
      return `Suspended ${durationText(input.durationMinutes)}. Their sessions ended on every node.`;
    },
    revalidate: userPages,
  });
}

export async function banUserAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "ADMIN",
    schema: ZBanUserRequestSchema,
    input: formFields(form, ["userId", "reason", "note"]),
    run: async (deps, staff, input) => {
      await banUser(deps, staff.ctx, input);
      return "Banned. Their sessions ended on every node.";
    },
    revalidate: userPages,
  });
}

export async function liftSanctionAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "MODERATOR",
    schema: ZUserActionRequestSchema,
    input: formFields(form, ["userId", "reason"]),
    run: async (deps, staff, input) => {
      await liftSanction(deps, staff.ctx, input);
      return "Access restored. They can sign in again.";
    },
    revalidate: userPages,
  });
}

export async function forceLogoutAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "MODERATOR",
    schema: ZUserActionRequestSchema,
    input: formFields(form, ["userId", "reason"]),
    run: async (deps, staff, input) => {
      await forceLogout(deps, staff.ctx, input);
      return "Signed out everywhere. They can sign in again.";
    },
    revalidate: userPages,
  });
}

export async function changeRoleAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "ADMIN",
    schema: ZChangeRoleRequestSchema,
    input: formFields(form, ["userId", "role", "reason"]),
    run: async (deps, staff, input) => {
      const user = await changeRole(deps, staff.ctx, input);
      return `Role changed to ${user.role}.`;
    },
    revalidate: userPages,
  });
}
