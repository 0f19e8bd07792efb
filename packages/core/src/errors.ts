// Turning store failures into the contract's codes, in one place:
// - a store call that fails is UNAVAILABLE (the client may retry), while
//   AppErrors pass through; the cause is kept for logs, never sent;
// - Postgres unique-constraint races (two sign-ups with one email, two creates
//   of one DM) are recognised so use cases can answer CONFLICT instead of a 500;
// - errors thrown by drivers outside `orUnavailable` (REST handlers run many
//   store calls) are classified by `isStoreUnavailable`.
import { Prisma } from "@relay/db";
import { AppError } from "@relay/shared/errors";

/** Run a store call; any failure becomes UNAVAILABLE, AppErrors pass through. */
export async function orUnavailable<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("UNAVAILABLE", `${what} is unavailable; retry later`, { cause: err });
  }
}

/** True for a unique-constraint violation (Prisma P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

const UNAVAILABLE_ERROR_NAMES = new Set([
  "NoHostAvailableError",
  "OperationTimedOutError",
  "MaxRetriesPerRequestError",
  "PrismaClientInitializationError",
]);
const UNAVAILABLE_ERROR_CODES = new Set(["P1001", "P1002", "P1017", "ECONNREFUSED", "ETIMEDOUT"]);

/** A driver error meaning Postgres, Redis or Cassandra could not be reached (UNAVAILABLE, not INTERNAL). */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof AppError) return err.code === "UNAVAILABLE";
  if (!(err instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(err.name)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE_ERROR_CODES.has(code)) return true;
  return /Connection is closed|connect ECONNREFUSED/.test(err.message);
}
