// Console sign-in (next-auth v5): email + password (+ the authenticator code
// once enrolled) through core's `authenticateStaff`. Sessions are JWT cookies
// under the console's own names (src/server/session.ts), so the web client's
// next-auth cookies on the same host never collide with them. Pages never
// trust the cookie alone: src/server/staff.ts re-reads the user every time.
// Signing out revokes the session on the server (core's revokeSession), so a
// copy of the cookie is refused afterwards and can no longer be renewed here.
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { isSessionRevoked, revokeSession } from "@relay/core";
import { toUserRole } from "@relay/shared/schemas";
import { loadEnv } from "./env";
import { getLogger } from "./logger";
import { getDeps } from "./server/deps";
import {
  COOKIE_PREFIX,
  SESSION_COOKIE,
  SESSION_MAX_AGE_SECONDS,
  staffRevocationExpiry,
  staffSessionId,
} from "./server/session";
import { authorizeStaff } from "./server/sign-in";

declare module "next-auth" {
  interface User {
    role?: string;
    needsTotpEnrollment?: boolean;
  }
}

/**
 * Every cookie next-auth may set, renamed. `secure` stays next-auth's choice
 * (on when the request is https).
 */
const cookie = (name: string, maxAge?: number) => ({
  name: `${COOKIE_PREFIX}.${name}`,
  options: { httpOnly: true, sameSite: "lax" as const, path: "/", ...(maxAge ? { maxAge } : {}) },
});
export const ADMIN_COOKIES = {
  sessionToken: { ...cookie("session-token"), name: SESSION_COOKIE },
  callbackUrl: cookie("callback-url"),
  csrfToken: cookie("csrf-token"),
  pkceCodeVerifier: cookie("pkce.code_verifier", 15 * 60),
  state: cookie("state", 15 * 60),
  nonce: cookie("nonce"),
  webauthnChallenge: cookie("challenge", 15 * 60),
};

export const { handlers, signIn, signOut } = NextAuth(() => ({
  secret: loadEnv().AUTH_SECRET,
  trustHost: true,
  basePath: "/api/auth",
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  cookies: ADMIN_COOKIES,
  pages: { signIn: "/signin", error: "/signin" },
  logger: {
    // A refused sign-in is an answer, not a server error.
    error(error) {
      if (error instanceof CredentialsSignin) return;
      getLogger().error({ err: error }, "next-auth error");
    },
    warn(code) {
      getLogger().warn({ code }, "next-auth warning");
    },
    debug() {},
  },
  providers: [
    Credentials({
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
        totp: { label: "Authenticator code", type: "text" },
      },
      authorize: (raw, request) => authorizeStaff(getDeps(), raw, request),
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = toUserRole(user.role);
        token.sid = crypto.randomUUID();
        token.signedInAt = Date.now();
        token.needsTotpEnrollment = user.needsTotpEnrollment === true;
        return token;
      }
      // Reading or renewing a session: a signed-out one is cleared instead of
      // renewed. staff.ts checks every request itself, so an outage here
      // leaves the decision to it.
      if (typeof token.uid !== "string") return null;
      try {
        if (await isSessionRevoked(getDeps(), staffSessionId(token))) return null;
      } catch (err) {
        getLogger().warn({ err }, "auth: could not check the console session");
      }
      return token;
    },
    session({ session, token }) {
      return {
        ...session,
        user: { ...session.user, id: String(token.uid), role: toUserRole(token.role) },
      };
    },
  },
  events: {
    // Sign-out (JWT strategy: next-auth hands over the decoded cookie) ends the
    // session on the server too; next-auth clears the cookie either way.
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (!token || typeof token.uid !== "string") return;
      try {
        await revokeSession(getDeps(), {
          userId: token.uid,
          sessionId: staffSessionId(token),
          expiresAt: staffRevocationExpiry(),
        });
      } catch (err) {
        getLogger().error(
          { err, userId: token.uid },
          "auth: sign-out could not revoke the console session",
        );
      }
    },
  },
}));
