"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { LIMITS } from "@relay/shared/limits";
import { Brand, Button, FormError, TextField } from "@relay/ui";
import { RestError, rest } from "../client/rest";

export function SignUpForm() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const field = (k: string) => {
      const v = form.get(k);
      return typeof v === "string" ? v : "";
    };
    const email = field("email");
    const password = field("password");
    const name = field("name");
    setBusy(true);
    setError(null);
    try {
      await rest.signup(email, password, name);
    } catch (err) {
      setError(
        err instanceof RestError && err.code === "CONFLICT"
          ? "An account with this email already exists."
          : err instanceof Error
            ? err.message
            : "Sign-up failed.",
      );
      setBusy(false);
      return;
    }
    const res = await signIn("credentials", { email, password, redirect: false });
    window.location.assign(res?.error ? "/signin?created=1" : "/chat");
  }

  return (
    <main className="auth">
      <form className="auth__card" onSubmit={(e) => void onSubmit(e)} noValidate>
        <Brand />
        <h1 className="auth__title">Create your account</h1>
        <TextField
          label="Name"
          name="name"
          autoComplete="name"
          required
          maxLength={LIMITS.nameMaxChars}
        />
        <TextField label="Email" name="email" type="email" autoComplete="email" required />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={LIMITS.passwordMinChars}
          hint={`At least ${LIMITS.passwordMinChars} characters.`}
        />
        <FormError message={error} />
        <Button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </Button>
        <p className="auth__switch">
          Already have an account? <Link href="/signin">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
