// Browser sessions (next-auth v5): email + password against the same
// `authenticate` as the REST token route; GitHub sign-in only when its env
// vars are set. Sessions are JWT cookies; the REST API and the realtime-token
// route accept them as well as Bearer access tokens. Signing out revokes the
// session on the server (core's revokeSession), so a copy of the cookie is
// refused everywhere afterwards and can no longer be renewed here.
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { isSessionRevoked, revokeSession, signInWithPassword } from "@relay/core";
import { AppError } from "@relay/shared/errors";
import { parsePayload } from "@relay/shared/protocol";
import { ZTokenRequestSchema, toUserRole, type TUserRole } from "@relay/shared/schemas";
import { loadEnv } from "./env";
import { getDeps } from "./server/deps";
import { clientIp } from "./server/route";
import {
  WEB_SESSION_MAX_AGE_SECONDS,
  webRevocationExpiry,
  webSessionOf,
} from "./server/web-session";

/** Sign-in refused for a reason the person should see (the code reaches the client). */
class AccountRefused extends CredentialsSignin {
  constructor(code: "suspended" | "banned" | "invalid" | "rate_limited") {
    super();
    this.code = code;
  }
}

declare module "next-auth" {
  interface Session {
    user: { id: string; name: string; email: string; role: TUserRole };
    /** When this browser session was signed in (epoch ms): compared with User.sessionsRevokedAt. */
    signedInAt?: number;
    /** This browser session's id ("web:<uuid>"), the one sign-out revokes. */
    sessionId?: string;
  }
}

function providers(): NextAuthConfig["providers"] {
  const env = loadEnv();
  const list: NextAuthConfig["providers"] = [
    Credentials({
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(raw, request) {
        const input = parsePayload(ZTokenRequestSchema, {
          email: raw.email,
          password: raw.password,
        });
        if (!input.ok) throw new AccountRefused("invalid");
        try {
          // The same guarded sign-in as POST /api/v1/auth/token (per IP and per account).
          const user = await signInWithPassword(getDeps(), {
            ...input.data,
            ip: clientIp(request),
          });
          return { id: user.id, name: user.name, email: user.email, role: user.role };
        } catch (err) {
          if (err instanceof AppError && err.code === "FORBIDDEN")
            throw new AccountRefused(/banned/.test(err.message) ? "banned" : "suspended");
          if (err instanceof AppError && err.code === "UNAUTHORIZED")
            throw new AccountRefused("invalid");
          if (err instanceof AppError && err.code === "RATE_LIMITED")
            throw new AccountRefused("rate_limited");
          throw err;
        }
      },
    }),
  ];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET)
    list.push(GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET }));
  return list;
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: loadEnv().AUTH_SECRET,
  trustHost: true,
  session: { strategy: "jwt", maxAge: WEB_SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/signin" },
  providers: providers(),
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = toUserRole((user as { role?: unknown }).role);
        token.sid = crypto.randomUUID();
        token.signedInAt = Date.now();
        return token;
      }
      // Reading or renewing a session: a signed-out one is no session, and its
      // cookie is cleared instead of renewed (so a copy cannot be kept alive).
      // Pages and REST check it again themselves; if the check fails here the
      // session is left to them rather than signed out by an outage.
      const session = webSessionOf(token);
      if (!session) return null;
      try {
        if (await isSessionRevoked(getDeps(), session.sessionId)) return null;
      } catch (err) {
        getDeps().logger.warn({ err }, "auth: could not check the session; the pages will");
      }
      return token;
    },
    session({ session, token }) {
      session.user.id = String(token.uid);
      session.user.role = toUserRole(token.role);
      if (typeof token.signedInAt === "number") session.signedInAt = token.signedInAt;
      const ref = webSessionOf(token);
      if (ref) session.sessionId = ref.sessionId;
      return session;
    },
  },
  events: {
    // Sign-out (JWT strategy: next-auth hands over the decoded cookie) ends the
    // session on the server too; next-auth clears the cookie either way.
    async signOut(message) {
      const session = "token" in message ? webSessionOf(message.token) : null;
      if (!session) return;
      try {
        await revokeSession(getDeps(), {
          userId: session.userId,
          sessionId: session.sessionId,
          expiresAt: webRevocationExpiry(),
        });
      } catch (err) {
        getDeps().logger.error(
          { err, userId: session.userId },
          "auth: sign-out could not revoke the session",
        );
      }
    },
  },
}));

/** OAuth providers switched on by env (for the sign-in page). */
export function oauthProviders(): Array<{ id: string; name: string }> {
  const env = loadEnv();
  return env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET ? [{ id: "github", name: "GitHub" }] : [];
}
