// The browser session as the pages see it: signed in, and still allowed — not
// signed out (the cookie outlives a sign-out: a copy of it must not work),
// not suspended, banned or logged out by a moderator or by "sign out
// everywhere" since it was signed in. A next-auth cookie stays
// cryptographically valid after any of these, so the pages ask core (Redis
// for sign-outs, Postgres for the account) before trusting it.
import { checkSession, type User } from "@relay/core";
import type { TSessionRevokedReason } from "@relay/shared/schemas";
import { auth } from "@/auth";
import { getDeps } from "./deps";

export type TSessionState =
  | { kind: "anonymous" }
  | { kind: "revoked"; reason: TSessionRevokedReason }
  | { kind: "live"; user: User };

export async function currentSession(): Promise<TSessionState> {
  const session = await auth();
  if (!session?.user?.id || !session.sessionId) return { kind: "anonymous" };
  const state = await checkSession(getDeps(), {
    userId: session.user.id,
    sessionId: session.sessionId,
    issuedAtMs: session.signedInAt,
  });
  // A session that was signed out is simply no session.
  return state.kind === "signed_out" ? { kind: "anonymous" } : state;
}
