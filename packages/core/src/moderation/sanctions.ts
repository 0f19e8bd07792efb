// Acting on accounts: suspend (moderators), ban (admins), lift either, force
// logout, change role (admins). Each one, in one transaction, changes the user,
// records the sanction and appends the audit entry; then revokes the refresh
// tokens, updates the deny-list and disconnects every socket of the user on
// every node (`events.disconnectUser`), so a still-valid access token is
// useless within moments: REST reads the user on every request, realtime
// consults its deny-list replica at every handshake and event.
import type { Prisma, User } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type {
  TBanUserRequest,
  TChangeRoleRequest,
  TSessionRevokedReason,
  TSuspendUserRequest,
  TUserActionRequest,
  TUserPublic,
} from "@relay/shared/schemas";
import { revokeAllForUser } from "../auth/refresh-tokens";
import { announceSessionsEnded, endEverySession } from "../auth/sessions";
import type { CoreDeps } from "../deps";
import { effectiveStatus, toPublicUser } from "../users/users";
import { recordAudit, type TModerationContext } from "./audit";
import { ROLE_RANK, requireOutranks, requireRole } from "./roles";

export type SanctionDeps = Pick<CoreDeps, "db" | "redis" | "keys" | "events" | "logger"> & {
  /** Clock, for tests. */
  now?: () => Date;
};

type Tx = Prisma.TransactionClient;

async function lockTarget(tx: Tx, userId: string): Promise<User> {
  await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId}::uuid FOR UPDATE`;
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("NOT_FOUND", "user not found");
  return user;
}

const snapshot = (u: User) => ({
  status: effectiveStatus(u),
  role: u.role,
  suspendedUntil: u.suspendedUntil?.toISOString() ?? null,
});

/** Lifts every active sanction of `userId` (replaced by a new one, or undone). */
async function liftActive(
  tx: Tx,
  userId: string,
  by: string | null,
  reason: string,
  at: Date,
): Promise<number> {
  const { count } = await tx.sanction.updateMany({
    where: { userId, liftedAt: null },
    data: { liftedAt: at, liftedById: by, liftReason: reason },
  });
  return count;
}

/**
 * After the transaction: the user's sessions end everywhere (the deny-list
 * entry, and with a reason `session:revoked` + disconnect on every node) —
 * the one mechanism `signOutEverywhere` uses too (auth/sessions.ts).
 */
function enforce(
  deps: SanctionDeps,
  user: User,
  disconnect: TSessionRevokedReason | null,
): Promise<void> {
  return announceSessionsEnded(deps, user, disconnect);
}

/** Suspends a user until lifted or for `durationMinutes`. Moderators and admins. */
export async function suspendUser(
  deps: SanctionDeps,
  ctx: TModerationContext,
  input: TSuspendUserRequest & { durationMinutes: number | null },
): Promise<TUserPublic> {
  requireRole(ctx.actor, "MODERATOR", "suspending a user");
  const now = deps.now?.() ?? new Date();
  const until = input.durationMinutes
    ? new Date(now.getTime() + input.durationMinutes * 60_000)
    : null;
  const user = await deps.db.$transaction(async (tx) => {
    const target = await lockTarget(tx, input.userId);
    requireOutranks(ctx.actor, target);
    if (target.status === "BANNED") throw new AppError("CONFLICT", "user is banned; unban first");
    await liftActive(tx, target.id, ctx.actor.userId, "replaced by a new suspension", now);
    const sanction = await tx.sanction.create({
      data: {
        userId: target.id,
        kind: "SUSPENSION",
        reason: input.reason,
        note: input.note ?? null,
        expiresAt: until,
        createdById: ctx.actor.userId,
      },
    });
    const updated = await tx.user.update({
      where: { id: target.id },
      data: { status: "SUSPENDED", suspendedUntil: until, sessionsRevokedAt: now },
    });
    await revokeAllForUser({ db: tx, now: () => now }, target.id);
    await recordAudit(tx, ctx, {
      action: "user.suspended",
      targetType: "user",
      targetId: target.id,
      reason: input.reason,
      before: snapshot(target),
      after: snapshot(updated),
      meta: {
        sanctionId: sanction.id,
        durationMinutes: input.durationMinutes,
        note: input.note ?? null,
      },
    });
    return updated;
  });
  await enforce(deps, user, "suspended");
  return toPublicUser(user, { includeEmail: true });
}

/** Bans a user (until unbanned). Admins only. */
export async function banUser(
  deps: SanctionDeps,
  ctx: TModerationContext,
  input: TBanUserRequest,
): Promise<TUserPublic> {
  requireRole(ctx.actor, "ADMIN", "banning a user");
  const now = deps.now?.() ?? new Date();
  const user = await deps.db.$transaction(async (tx) => {
    const target = await lockTarget(tx, input.userId);
    requireOutranks(ctx.actor, target);
    if (target.status === "BANNED") throw new AppError("CONFLICT", "user is already banned");
    await liftActive(tx, target.id, ctx.actor.userId, "replaced by a ban", now);
    const sanction = await tx.sanction.create({
      data: {
        userId: target.id,
        kind: "BAN",
        reason: input.reason,
        note: input.note ?? null,
        createdById: ctx.actor.userId,
      },
    });
    const updated = await tx.user.update({
      where: { id: target.id },
      data: { status: "BANNED", suspendedUntil: null, sessionsRevokedAt: now },
    });
    await revokeAllForUser({ db: tx, now: () => now }, target.id);
    await recordAudit(tx, ctx, {
      action: "user.banned",
      targetType: "user",
      targetId: target.id,
      reason: input.reason,
      before: snapshot(target),
      after: snapshot(updated),
      meta: { sanctionId: sanction.id, note: input.note ?? null },
    });
    return updated;
  });
  await enforce(deps, user, "banned");
  return toPublicUser(user, { includeEmail: true });
}

/**
 * Restores access: lifts the active ban (admins) or suspension (moderators).
 * Sessions from before the sanction stay void; the user signs in again.
 */
export async function liftSanction(
  deps: SanctionDeps,
  ctx: TModerationContext,
  input: TUserActionRequest,
): Promise<TUserPublic> {
  requireRole(ctx.actor, "MODERATOR", "lifting a sanction");
  const now = deps.now?.() ?? new Date();
  const user = await deps.db.$transaction(async (tx) => {
    const target = await lockTarget(tx, input.userId);
    requireOutranks(ctx.actor, target);
    if (target.status === "ACTIVE")
      throw new AppError("CONFLICT", "user is not suspended or banned");
    if (target.status === "BANNED") requireRole(ctx.actor, "ADMIN", "unbanning a user");
    await liftActive(tx, target.id, ctx.actor.userId, input.reason, now);
    const updated = await tx.user.update({
      where: { id: target.id },
      data: { status: "ACTIVE", suspendedUntil: null },
    });
    await recordAudit(tx, ctx, {
      action: target.status === "BANNED" ? "user.unbanned" : "user.unsuspended",
      targetType: "user",
      targetId: target.id,
      reason: input.reason,
      before: snapshot(target),
      after: snapshot(updated),
    });
    return updated;
  });
  await enforce(deps, user, null);
  return toPublicUser(user, { includeEmail: true });
}

/** Ends every session of a user now (refresh tokens, access tokens, browser sessions, sockets). */
export async function forceLogout(
  deps: SanctionDeps,
  ctx: TModerationContext,
  input: TUserActionRequest,
): Promise<TUserPublic> {
  requireRole(ctx.actor, "MODERATOR", "forcing a logout");
  const now = deps.now?.() ?? new Date();
  const user = await deps.db.$transaction(async (tx) => {
    const target = await lockTarget(tx, input.userId);
    requireOutranks(ctx.actor, target);
    const { user: updated, refreshTokensRevoked: revoked } = await endEverySession(
      tx,
      target.id,
      now,
    );
    await recordAudit(tx, ctx, {
      action: "user.logged_out",
      targetType: "user",
      targetId: target.id,
      reason: input.reason,
      meta: { refreshTokensRevoked: revoked },
    });
    return updated;
  });
  await enforce(deps, user, "logged_out");
  return toPublicUser(user, { includeEmail: true });
}

/**
 * Changes a user's role (admins; never to or from a role at or above the
 * admin's own). A demotion also ends the user's sessions, so no token keeps
 * the old role's rights until it expires.
 */
export async function changeRole(
  deps: SanctionDeps,
  ctx: TModerationContext,
  input: TChangeRoleRequest,
): Promise<TUserPublic> {
  requireRole(ctx.actor, "ADMIN", "changing roles");
  const now = deps.now?.() ?? new Date();
  let demoted = false;
  const user = await deps.db.$transaction(async (tx) => {
    const target = await lockTarget(tx, input.userId);
    requireOutranks(ctx.actor, target);
    if (ROLE_RANK[input.role] >= ROLE_RANK[ctx.actor.role])
      throw new AppError("FORBIDDEN", "you can only give roles below your own");
    if (input.role === target.role) throw new AppError("CONFLICT", `user is already ${input.role}`);
    demoted = ROLE_RANK[input.role] < ROLE_RANK[target.role];
    const updated = await tx.user.update({
      where: { id: target.id },
      data: { role: input.role, ...(demoted ? { sessionsRevokedAt: now } : {}) },
    });
    if (demoted) await revokeAllForUser({ db: tx, now: () => now }, target.id);
    await recordAudit(tx, ctx, {
      action: "user.role_changed",
      targetType: "user",
      targetId: target.id,
      reason: input.reason,
      before: { role: target.role },
      after: { role: updated.role },
    });
    return updated;
  });
  if (demoted) await enforce(deps, user, "logged_out");
  return toPublicUser(user, { includeEmail: true });
}

/**
 * Timed suspensions whose end has passed become ACTIVE again, each with a
 * system audit entry. Access already returns at the end time (effectiveStatus);
 * this writes it down. Safe to run on several nodes at once.
 */
export async function liftExpiredSuspensions(
  deps: Pick<SanctionDeps, "db" | "now">,
): Promise<number> {
  const now = deps.now?.() ?? new Date();
  const due = await deps.db.user.findMany({
    where: { status: "SUSPENDED", suspendedUntil: { lte: now } },
    select: { id: true },
    take: 500,
  });
  let lifted = 0;
  for (const { id } of due) {
    await deps.db.$transaction(async (tx) => {
      const target = await lockTarget(tx, id);
      if (target.status !== "SUSPENDED" || !target.suspendedUntil || target.suspendedUntil > now)
        return; // lifted or changed meanwhile
      await liftActive(tx, id, null, "suspension ended", now);
      const updated = await tx.user.update({
        where: { id },
        data: { status: "ACTIVE", suspendedUntil: null },
      });
      await recordAudit(tx, null, {
        action: "user.suspension_ended",
        targetType: "user",
        targetId: id,
        before: snapshot(target),
        after: snapshot(updated),
      });
      lifted++;
    });
  }
  return lifted;
}
