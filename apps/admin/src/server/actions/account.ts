"use server";
// The staff member's own account: turning on TOTP, signing in and out.
import { AuthError, CredentialsSignin } from "next-auth";
import { enableTotp } from "@relay/core";
import { ZEnableTotpRequestSchema } from "@relay/shared/schemas";
import { signIn, signOut } from "@/auth";
import { staffAction } from "../action";
import { isSignInRefusal, type TSignInRefusal } from "../sign-in";

export const enableTotpAction = staffAction(
  "MODERATOR",
  ZEnableTotpRequestSchema,
  async (deps, ctx, input) => {
    await enableTotp(deps, ctx, input);
    return "Two-factor sign-in is on. You will be asked for a code at every sign-in.";
  },
  { revalidate: ["/account/2fa"], allowEnrollment: true },
);

export type TSignInState = { error: TSignInRefusal | null; email: string };

/** Only same-site paths (never another origin) after signing in. */
function safeNext(v: FormDataEntryValue | null): string {
  return typeof v === "string" && /^\/(?!\/)[\w\-/?=&%.]*$/.test(v) ? v : "/users";
}

export async function signInAction(_prev: TSignInState, form: FormData): Promise<TSignInState> {
  const raw = form.get("email");
  const email = typeof raw === "string" ? raw : "";
  try {
    await signIn("credentials", {
      email,
      password: form.get("password"),
      totp: form.get("totp") ?? "",
      redirectTo: safeNext(form.get("next")),
    });
  } catch (err) {
    // next-auth redirects on success by throwing Next's redirect: let it through.
    if (err instanceof AuthError) {
      const code = err instanceof CredentialsSignin ? err.code : null;
      const error = isSignInRefusal(code)
        ? code
        : err.type === "CallbackRouteError"
          ? "unavailable"
          : "invalid";
      return { error, email };
    }
    throw err;
  }
  return { error: null, email };
}

export async function signOutAction() {
  await signOut({ redirectTo: "/signin" });
}
