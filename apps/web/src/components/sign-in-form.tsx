"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Brand, Button, FormError, TextField } from "@relay/ui";

const reasons: Record<string, string> = {
  invalid: "Wrong email or password.",
  rate_limited: "Too many attempts. Wait a moment, then try again.",
  suspended: "This account is suspended. Contact an administrator.",
  banned: "This account has been banned.",
};

export function SignInForm({
  oauth,
  notice,
}: {
  oauth: Array<{ id: string; name: string }>;
  notice: string | null;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const res = await signIn("credentials", {
      email: form.get("email"),
      password: form.get("password"),
      redirect: false,
    });
    if (res?.error) {
      setError(reasons[res.code ?? "invalid"] ?? reasons.invalid!);
      setBusy(false);
      return;
    }
    window.location.assign("/chat");
  }

  return (
    <main className="auth">
      <form className="auth__card" onSubmit={(e) => void onSubmit(e)} noValidate>
        <Brand />
        <h1 className="auth__title">Sign in</h1>
        {notice ? (
          <p className="auth__notice" role="status">
            {notice}
          </p>
        ) : null}
        <TextField label="Email" name="email" type="email" autoComplete="email" required />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <FormError message={error} />
        <Button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
        {oauth.map((p) => (
          <Button
            key={p.id}
            variant="secondary"
            onClick={() => void signIn(p.id, { redirectTo: "/chat" })}
          >
            Continue with {p.name}
          </Button>
        ))}
        <p className="auth__switch">
          New to Relay? <Link href="/signup">Create an account</Link>
        </p>
      </form>
    </main>
  );
}
