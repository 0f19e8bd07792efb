// The browser session as the pages see it: signed in, and still allowed — not
// suspended, banned or logged out by a moderator since it was signed in. A
// next-auth cookie stays cryptographically valid after such an action, so the
// pages ask Postgres (through core) before trusting it.
import { requireActiveUser, type User } from "@relay/core";
import { AppError } from "@relay/shared/errors";
import type { TSessionRevokedReason } from "@relay/shared/schemas";
import { auth } from "@/auth";
import { getDeps } from "./deps";

export type TSessionState =
  | { kind: "anonymous" }
  | { kind: "revoked"; reason: TSessionRevokedReason }
  | { kind: "live"; user: User };

export async function currentSession(): Promise<TSessionState> {
  const session = await auth();
  if (!session?.user?.id) return { kind: "anonymous" };
  try {
    const user = await requireActiveUser(getDeps(), session.user.id, {
      issuedAtMs: session.signedInAt,
    });
    return { kind: "live", user };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === "FORBIDDEN")
      return { kind: "revoked", reason: /banned/.test(err.message) ? "banned" : "suspended" };
    return { kind: "revoked", reason: "logged_out" };
  }
}
