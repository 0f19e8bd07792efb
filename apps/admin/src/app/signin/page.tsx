import { redirect } from "next/navigation";
import { SignInForm } from "@/components/sign-in-form";
import { currentStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in" };

/** Why a console session ended (the console re-checks the account on every request). */
const REVOKED: Record<string, string> = {
  banned: "Signed out: account banned.",
  suspended: "Signed out: account suspended.",
  logged_out: "Your session was ended. Sign in again.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const state = await currentStaff();
  if (state.kind === "ok") redirect("/users");
  const params = await searchParams;
  const revoked = state.kind === "revoked" ? state.reason : params.revoked;
  const next = typeof params.next === "string" ? params.next : null;
  return (
    <SignInForm
      next={next}
      notice={typeof revoked === "string" ? (REVOKED[revoked] ?? REVOKED.logged_out!) : null}
    />
  );
}
