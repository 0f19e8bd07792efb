"use client";

import { startTransition, useActionState, useEffect, useRef, type FormEvent } from "react";
import { Brand, Button, FormError, TextField } from "@relay/ui";
import { signInAction, type TSignInState } from "@/server/actions/account";
import type { TSignInRefusal } from "@/server/sign-in";

const MESSAGES: Record<TSignInRefusal, string> = {
  invalid_input: "Enter your email and password.",
  invalid: "Wrong email or password.",
  totp_required: "Enter the 6-digit code from your authenticator app.",
  totp_wrong: "That authenticator code is wrong or has expired. Enter the current one.",
  not_staff: "This console is for moderators and admins only; your account is not one.",
  suspended: "This account is suspended.",
  banned: "This account has been banned.",
  rate_limited: "Too many attempts. Wait a minute, then try again.",
  unavailable: "Sign-in is unavailable right now. Try again in a moment.",
};

export function SignInForm({ notice, next }: { notice: string | null; next: string | null }) {
  const [state, formAction, pending] = useActionState<TSignInState, FormData>(signInAction, {
    error: null,
    email: "",
  });
  const codeRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state.error === "totp_required" || state.error === "totp_wrong") codeRef.current?.focus();
  }, [state]);

  // Submitted by hand (not <form action>) so a refused attempt keeps what was typed.
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    startTransition(() => formAction(data));
  }

  return (
    <main className="auth">
      <form className="auth__card" onSubmit={onSubmit} noValidate>
        <Brand subtitle="Moderation" />
        <h1 className="auth__title">Sign in to the console</h1>
        {notice ? (
          <p className="auth__notice" role="status">
            {notice}
          </p>
        ) : null}
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <TextField label="Email" name="email" type="email" autoComplete="username" required />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <div className="rl-field">
          <label htmlFor="totp" className="rl-field__label">
            Authenticator code
          </label>
          <input
            id="totp"
            ref={codeRef}
            className="rl-field__input"
            name="totp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            maxLength={6}
            placeholder="123456"
            aria-describedby="totp-hint"
          />
          <p id="totp-hint" className="rl-field__hint">
            Only if two-factor sign-in is on for your account.
          </p>
        </div>
        <FormError message={state.error ? MESSAGES[state.error] : null} />
        <Button type="submit" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </main>
  );
}
