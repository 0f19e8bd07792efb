// People: sign-up, password sign-in, people search and the public shape of a
// user. Passwords are hashed with Argon2id (@relay/db); sign-in answers the
// same generic UNAUTHORIZED for an unknown email and a wrong password, and
// spends the same hashing work on both so timing does not tell them apart.
import { hashPassword, verifyPassword, type PrismaClient, type User } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type { TSignupRequest, TTokenRequest, TUserPublic, TUserRole } from "@relay/shared/schemas";
import {
  clearCredentialFailures,
  guardCredentialAttempt,
  recordCredentialFailure,
  type CredentialGuardDeps,
} from "../auth/credential-guard";
import { isUniqueViolation } from "../errors";

export interface UsersDeps {
  db: PrismaClient;
}

/** Max people returned by one search. */
export const USER_SEARCH_LIMIT = 20;

const INVALID_CREDENTIALS = "invalid email or password";

type TPublicUserSource = Pick<
  User,
  "id" | "name" | "email" | "role" | "status" | "suspendedUntil" | "lastSeenAt"
>;

/**
 * The status that counts now: a timed suspension whose end has passed is over
 * even before anything wrote ACTIVE back (core's sweeper does that, and audits it).
 */
export function effectiveStatus(
  user: Pick<User, "status" | "suspendedUntil">,
  now = new Date(),
): User["status"] {
  if (user.status === "SUSPENDED" && user.suspendedUntil && user.suspendedUntil <= now)
    return "ACTIVE";
  return user.status;
}

/** The contract's user shape. `email` only when `includeEmail` (the user themself, admins). */
export function toPublicUser(
  user: TPublicUserSource,
  opts: { includeEmail?: boolean } = {},
): TUserPublic {
  return {
    id: user.id,
    name: user.name,
    ...(opts.includeEmail ? { email: user.email } : {}),
    role: user.role,
    status: effectiveStatus(user),
    lastSeenAt: user.lastSeenAt?.toISOString() ?? null,
  };
}

/** FORBIDDEN for suspended/banned accounts; returns normally for ACTIVE ones (and ended suspensions). */
export function assertUserActive(user: Pick<User, "status" | "suspendedUntil">): void {
  const status = effectiveStatus(user);
  if (status === "SUSPENDED") throw new AppError("FORBIDDEN", "account suspended");
  if (status === "BANNED") throw new AppError("FORBIDDEN", "account banned");
}

/** UNAUTHORIZED when the token or session was issued before the user's sessions were revoked. */
export function assertSessionLive(
  user: Pick<User, "sessionsRevokedAt">,
  issuedAtMs: number | undefined,
): void {
  if (!user.sessionsRevokedAt) return;
  // At or before: a token minted in the very millisecond of the revocation counts as old.
  if (issuedAtMs === undefined || issuedAtMs <= user.sessionsRevokedAt.getTime())
    throw new AppError("UNAUTHORIZED", "session revoked; sign in again");
}

/**
 * Creates an ACTIVE USER. The email arrives normalized (trimmed, lower-case)
 * from ZSignupRequestSchema. A taken email is CONFLICT, also when two
 * sign-ups race (unique index).
 */
export async function signUp(deps: UsersDeps, input: TSignupRequest): Promise<User> {
  const taken = await deps.db.user.findUnique({
    where: { email: input.email },
    select: { id: true },
  });
  if (taken) throw new AppError("CONFLICT", "email already registered");
  const passwordHash = await hashPassword(input.password);
  try {
    return await deps.db.user.create({
      data: { email: input.email, name: input.name, passwordHash },
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "email already registered");
    throw err;
  }
}

let dummyHash: Promise<string> | undefined;
/** A real Argon2 hash to verify against when the email is unknown (equal work, equal timing). */
function timingDummyHash(): Promise<string> {
  dummyHash ??= hashPassword("relay-timing-equalizer");
  return dummyHash;
}

/**
 * The user for an email + password. Unknown email, wrong password and an
 * account without a password (e.g. OAuth-only) are one generic UNAUTHORIZED;
 * only after the password matched does a suspended/banned account learn
 * why it is refused (FORBIDDEN).
 */
export async function authenticate(deps: UsersDeps, input: TTokenRequest): Promise<User> {
  const user = await deps.db.user.findUnique({ where: { email: input.email } });
  if (!user?.passwordHash) {
    await verifyPassword(await timingDummyHash(), input.password);
    throw new AppError("UNAUTHORIZED", INVALID_CREDENTIALS);
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    throw new AppError("UNAUTHORIZED", INVALID_CREDENTIALS);
  }
  assertUserActive(user);
  return user;
}

/**
 * The user behind an access token, refused unless ACTIVE. Access tokens live
 * 15 minutes; checking the status per request makes a suspension or ban take
 * effect on the REST API at once (UNAUTHORIZED when the user no longer exists).
 */
export async function requireActiveUser(
  deps: UsersDeps,
  userId: string,
  session: { issuedAtMs?: number } = {},
): Promise<User> {
  const user = await deps.db.user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("UNAUTHORIZED", "unknown user");
  assertUserActive(user);
  if ("issuedAtMs" in session) assertSessionLive(user, session.issuedAtMs);
  return user;
}

/**
 * People search: ACTIVE users whose name or email contains `query`
 * (case-insensitive), never the caller, at most USER_SEARCH_LIMIT, by name.
 * Emails are only included for admin callers.
 */
export async function searchUsers(
  deps: UsersDeps,
  input: { query: string; callerId: string; callerRole?: TUserRole },
): Promise<TUserPublic[]> {
  // Prisma's `contains` becomes ILIKE '%…%' without escaping: make % and _ literal.
  const pattern = input.query.replace(/[\\%_]/g, (c) => `\\${c}`);
  const users = await deps.db.user.findMany({
    where: {
      status: "ACTIVE",
      id: { not: input.callerId },
      OR: [
        { name: { contains: pattern, mode: "insensitive" } },
        { email: { contains: pattern, mode: "insensitive" } },
      ],
    },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: USER_SEARCH_LIMIT,
  });
  return users.map((u) =>
    toPublicUser(u, {
      includeEmail: input.callerRole === "ADMIN" || input.callerRole === "MODERATOR",
    }),
  );
}

/**
 * `authenticate` behind the credential guard: refused early while the IP or
 * the account is over its limits; a wrong password is counted against the
 * account; a success clears it. Every password sign-in (REST token, browser,
 * admin console) goes through this.
 */
export async function signInWithPassword(
  deps: UsersDeps & CredentialGuardDeps,
  input: TTokenRequest & { ip: string },
): Promise<User> {
  await guardCredentialAttempt(deps, { ip: input.ip, account: input.email });
  try {
    const user = await authenticate(deps, input);
    await clearCredentialFailures(deps, input.email);
    return user;
  } catch (err) {
    if (err instanceof AppError && err.code === "UNAUTHORIZED")
      await recordCredentialFailure(deps, input.email);
    throw err;
  }
}
