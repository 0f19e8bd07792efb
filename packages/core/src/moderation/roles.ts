// Who may do what in moderation: USER < MODERATOR < ADMIN.
// - moderators handle reports, delete messages, suspend, lift suspensions and
//   force logouts;
// - admins also ban and unban, change roles and delete groups;
// - nobody acts on their own account, and a sanction or role change only
//   targets someone of strictly lower rank (a moderator cannot suspend an
//   admin; an admin cannot ban another admin).
import { AppError } from "@relay/shared/errors";
import type { TUserRole } from "@relay/shared/schemas";

export const ROLE_RANK: Record<TUserRole, number> = { USER: 0, MODERATOR: 1, ADMIN: 2 };

export function hasRole(role: TUserRole, atLeast: TUserRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[atLeast];
}

/** FORBIDDEN unless `actor` is at least `atLeast`. */
export function requireRole(actor: { role: TUserRole }, atLeast: TUserRole, what: string): void {
  if (!hasRole(actor.role, atLeast))
    throw new AppError(
      "FORBIDDEN",
      `${what} needs the ${atLeast === "ADMIN" ? "admin" : "moderator"} role`,
    );
}

/** FORBIDDEN when the target is the actor or does not rank strictly below them. */
export function requireOutranks(
  actor: { userId: string; role: TUserRole },
  target: { id: string; role: TUserRole },
): void {
  if (actor.userId === target.id)
    throw new AppError("FORBIDDEN", "you cannot moderate your own account");
  if (ROLE_RANK[target.role] >= ROLE_RANK[actor.role])
    throw new AppError("FORBIDDEN", "you can only act on users of a lower role than yours");
}
