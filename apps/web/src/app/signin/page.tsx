import { redirect } from "next/navigation";
import { auth, oauthProviders } from "@/auth";
import { SignInForm } from "@/components/sign-in-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in · Relay" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  if (await auth()) redirect("/chat");
  const params = await searchParams;
  return (
    <SignInForm
      oauth={oauthProviders()}
      notice={
        params.revoked
          ? "You were signed out by an administrator."
          : params.created
            ? "Account created. Sign in to start chatting."
            : null
      }
    />
  );
}
