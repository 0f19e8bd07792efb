// Token pairs for API clients (mobile, scripts): a 15-minute access JWT plus
// an opaque refresh token. The refresh token is 32 random bytes (base64url);
// only its SHA-256 is stored (RefreshToken.tokenHash), so a database leak
// yields no usable tokens. Each refresh rotates: the presented row is revoked
// and points at its replacement (replacedById). Presenting a revoked token
// again means it was copied: the whole chain after it is revoked and the
// caller gets UNAUTHORIZED, so a stolen token dies with the first reuse.
// The access token's `sid` is the id of the RefreshToken row it was issued with.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient, User } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type { TTokenPair } from "@relay/shared/schemas";
import { assertUserActive, effectiveStatus } from "../users/users";
import type { TokenService } from "./tokens";

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
const REFRESH_TOKEN_BYTES = 32;
/** Bound on the replacedById walk when revoking a chain (a chain is one rotation per refresh). */
const MAX_CHAIN_WALK = 10_000;

export interface RefreshTokensDeps {
  db: PrismaClient;
  tokens: TokenService;
  /** Clock, for tests. */
  now?: () => Date;
}

const INVALID_REFRESH = "invalid or expired refresh token";

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function newRefreshToken(): { token: string; tokenHash: string } {
  const token = randomBytes(REFRESH_TOKEN_BYTES).toString("base64url");
  return { token, tokenHash: hashRefreshToken(token) };
}

function expiryFrom(now: Date): Date {
  return new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000);
}

async function signFor(
  deps: RefreshTokensDeps,
  user: Pick<User, "id" | "role">,
  sessionId: string,
  refreshToken: string,
): Promise<TTokenPair> {
  const accessToken = await deps.tokens.signAccess({ userId: user.id, role: user.role, sessionId });
  return { accessToken, refreshToken, expiresIn: deps.tokens.accessTtlSeconds };
}

/** A fresh pair (new session) for a user who just authenticated. FORBIDDEN unless ACTIVE. */
export async function issueTokenPair(
  deps: RefreshTokensDeps,
  user: Pick<User, "id" | "role" | "status" | "suspendedUntil">,
): Promise<TTokenPair> {
  assertUserActive(user);
  const now = deps.now?.() ?? new Date();
  const { token, tokenHash } = newRefreshToken();
  const row = await deps.db.refreshToken.create({
    data: { userId: user.id, tokenHash, expiresAt: expiryFrom(now) },
  });
  return signFor(deps, user, row.id, token);
}

/** Revokes `fromId` and every token that replaced it, following replacedById. */
async function revokeChain(deps: RefreshTokensDeps, fromId: string, at: Date): Promise<void> {
  let id: string | null = fromId;
  for (let i = 0; id !== null && i < MAX_CHAIN_WALK; i++) {
    const row: { replacedById: string | null } | null = await deps.db.refreshToken.findUnique({
      where: { id },
      select: { replacedById: true },
    });
    if (!row) return;
    await deps.db.refreshToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: at },
    });
    id = row.replacedById;
  }
}

/**
 * Rotates a refresh token: revokes it and returns a new pair.
 * - unknown or expired token → UNAUTHORIZED;
 * - a revoked token (reuse, or a lost race with a concurrent refresh of the
 *   same token) → the chain from it onwards is revoked, UNAUTHORIZED;
 * - a suspended/banned user → all of their tokens are revoked, FORBIDDEN.
 */
export async function refreshTokenPair(
  deps: RefreshTokensDeps,
  refreshToken: string,
): Promise<TTokenPair> {
  const now = deps.now?.() ?? new Date();
  const current = await deps.db.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(refreshToken) },
    include: { user: { select: { id: true, role: true, status: true, suspendedUntil: true } } },
  });
  if (!current) throw new AppError("UNAUTHORIZED", INVALID_REFRESH);
  if (current.revokedAt) {
    await revokeChain(deps, current.id, now);
    throw new AppError("UNAUTHORIZED", INVALID_REFRESH);
  }
  if (current.expiresAt.getTime() <= now.getTime())
    throw new AppError("UNAUTHORIZED", INVALID_REFRESH);
  if (effectiveStatus(current.user) !== "ACTIVE") {
    await revokeAllForUser(deps, current.userId);
    assertUserActive(current.user);
  }

  const next = newRefreshToken();
  // Claim the old row and create its successor atomically. The conditional
  // update takes the row lock, so of two concurrent refreshes of one token
  // exactly one wins; the other sees revokedAt set and counts as reuse.
  const created = await deps.db.$transaction(async (tx) => {
    const claimed = await tx.refreshToken.updateMany({
      where: { id: current.id, revokedAt: null },
      data: { revokedAt: now },
    });
    if (claimed.count === 0) return null;
    const row = await tx.refreshToken.create({
      data: { userId: current.userId, tokenHash: next.tokenHash, expiresAt: expiryFrom(now) },
    });
    await tx.refreshToken.update({ where: { id: current.id }, data: { replacedById: row.id } });
    return row;
  });
  if (!created) {
    await revokeChain(deps, current.id, now);
    throw new AppError("UNAUTHORIZED", INVALID_REFRESH);
  }
  return signFor(deps, current.user, created.id, next.token);
}

/** Revokes every live refresh token of a user (logout everywhere, suspension, ban). Returns how many. */
export async function revokeAllForUser(
  deps: { db: Pick<PrismaClient, "refreshToken">; now?: () => Date },
  userId: string,
): Promise<number> {
  const now = deps.now?.() ?? new Date();
  const { count } = await deps.db.refreshToken.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: now },
  });
  return count;
}
