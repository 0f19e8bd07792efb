import { redirect } from "next/navigation";
import { oauthProviders } from "@/auth";
import { SignInForm } from "@/components/sign-in-form";
import { currentSession } from "@/server/session";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in · Relay" };

/** What a person signed out by a moderator (or by themself elsewhere) reads. */
const REVOKED: Record<string, string> = {
  banned: "Signed out: account banned.",
  suspended: "Signed out: account suspended.",
  logged_out: "Signed out: your session was ended. Sign in again.",
  everywhere: "Signed out everywhere: every device has to sign in again.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const session = await currentSession();
  if (session.kind === "live") redirect("/chat");
  const params = await searchParams;
  const revoked = session.kind === "revoked" ? session.reason : params.revoked;
  return (
    <SignInForm
      oauth={oauthProviders()}
      notice={
        revoked
          ? (REVOKED[revoked] ?? REVOKED.logged_out!)
          : params.created
            ? "Account created. Sign in to start chatting."
            : null
      }
    />
  );
}
