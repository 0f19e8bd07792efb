// Recognizing Postgres constraint errors surfaced by Prisma, so services can
// turn races (two sign-ups with one email, two creates of one DM) into the
// contract's codes instead of a 500.
import { Prisma } from "@relay/db";

/** True for a unique-constraint violation (Prisma P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}
