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
import { staffAction } from "../action";

const userPages = (input: { userId: string }) => ["/users", `/users/${input.userId}`];

function durationText(minutes: number | null): string {
  if (minutes === null) return "until lifted";
  if (minutes % 1440 === 0) return `for ${minutes / 1440} day${minutes === 1440 ? "" : "s"}`;
  if (minutes % 60 === 0) return `for ${minutes / 60} hour${minutes === 60 ? "" : "s"}`;
  return `for ${minutes} minutes`;
}

export const suspendUserAction = staffAction(
  "MODERATOR",
  ZSuspendUserRequestSchema,
  async (deps, ctx, input) => {
    await suspendUser(deps, ctx, input);
    return `Suspended ${durationText(input.durationMinutes)}. Their sessions ended on every node.`;
  },
  { revalidate: userPages, minutes: ["durationMinutes"] },
);

export const banUserAction = staffAction(
  "ADMIN",
  ZBanUserRequestSchema,
  async (deps, ctx, input) => {
    await banUser(deps, ctx, input);
    return "Banned. Their sessions ended on every node.";
  },
  { revalidate: userPages },
);

export const liftSanctionAction = staffAction(
  "MODERATOR",
  ZUserActionRequestSchema,
  async (deps, ctx, input) => {
    await liftSanction(deps, ctx, input);
    return "Access restored. They can sign in again.";
  },
  { revalidate: userPages },
);

export const forceLogoutAction = staffAction(
  "MODERATOR",
  ZUserActionRequestSchema,
  async (deps, ctx, input) => {
    await forceLogout(deps, ctx, input);
    return "Signed out everywhere. They can sign in again.";
  },
  { revalidate: userPages },
);

export const changeRoleAction = staffAction(
  "ADMIN",
  ZChangeRoleRequestSchema,
  async (deps, ctx, input) => {
    const user = await changeRole(deps, ctx, input);
    return `Role changed to ${user.role}.`;
  },
  { revalidate: userPages },
);
