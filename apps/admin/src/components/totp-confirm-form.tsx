"use client";

import { useActionState } from "react";
import { Button, FormError } from "@relay/ui";
import { IDLE } from "@/server/action-state";
import { enableTotpAction } from "@/server/actions/account";

export function TotpConfirmForm({ secret }: { secret: string }) {
  const [state, formAction, pending] = useActionState(enableTotpAction, IDLE);
  return (
    <form action={formAction} className="filters filters--inline">
      <input type="hidden" name="secret" value={secret} />
      <label className="field">
        <span className="field__label">Code from the app</span>
        <input
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          maxLength={6}
          required
        />
      </label>
      <div className="filters__buttons">
        <Button type="submit" disabled={pending}>
          {pending ? "Checking…" : "Turn on two-factor"}
        </Button>
      </div>
      {state.status === "error" ? <FormError message={state.message} /> : null}
    </form>
  );
}
