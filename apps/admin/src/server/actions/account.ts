"use server";
// The staff member's own account: turning on TOTP, signing in and out.
import { AuthError, CredentialsSignin } from "next-auth";
import { enableTotp } from "@relay/core";
import { ZEnableTotpRequestSchema } from "@relay/shared/schemas";
import { signIn, signOut } from "@/auth";
import { formFields, runStaffAction } from "../action";
import type { TActionState } from "../action-state";
import { isSignInRefusal, type TSignInRefusal } from "../sign-in";

export async function enableTotpAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "MODERATOR",
    allowEnrollment: true,
    schema: ZEnableTotpRequestSchema,
    input: formFields(form, ["secret", "code"]),
    run: async (deps, staff, input) => {
      await enableTotp(deps, staff.ctx, input);
      return "Two-factor sign-in is on. You will be asked for a code at every sign-in.";
    },
    revalidate: () => ["/account/2fa"],
  });
}

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
