"use client";

import { signOut } from "next-auth/react";
import { useEffect, useRef, useState } from "react";
import { Avatar, Button, FormError } from "@relay/ui";
import type { TMe } from "@/client/me";
import { rest } from "@/client/rest";
import { useChatClient } from "./use-chat";

/** The account menu: who is signed in, and "sign out everywhere". */
export function AccountDialog({ me, onClose }: { me: TMe; onClose: () => void }) {
  const client = useChatClient();
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [offline, setOffline] = useState(false);

  useEffect(() => {
    ref.current?.showModal();
  }, []);

  async function signOutEverywhere() {
    setBusy(true);
    setError(null);
    // This tab's socket is about to be told its session ended; leave on our own terms instead.
    client.stop();
    setOffline(true);
    try {
      await rest.signOutEverywhere();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not sign out everywhere.");
      setBusy(false);
      return;
    }
    // Every session is void already; this clears this browser's cookie too.
    await signOut({ redirectTo: "/signin?revoked=everywhere" });
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      // Stopped for nothing (the request failed): a reload reconnects.
      onClose={() => (offline && !busy ? window.location.reload() : onClose())}
      aria-labelledby="account-title"
    >
      <h2 id="account-title">Account</h2>
      <div className="account__who">
        <Avatar name={me.name} seed={me.id} size={40} />
        <div className="sidebar__me">
          <strong>{me.name}</strong>
          <span>{me.email}</span>
        </div>
      </div>
      <section className="account__section" aria-labelledby="account-sessions">
        <h3 id="account-sessions">Sessions</h3>
        <p className="info__muted">
          Signed in on a computer you no longer use, or lost a phone? Sign out everywhere ends every
          session of your account at once: other browsers, the mobile app and this browser too.
          You’ll need to sign in again on each device.
        </p>
      </section>
      <FormError message={error} />
      <div className="dialog__actions">
        <Button variant="ghost" onClick={() => ref.current?.close()} disabled={busy}>
          {offline ? "Close" : "Cancel"}
        </Button>
        <Button variant="danger" onClick={() => void signOutEverywhere()} disabled={busy}>
          {busy ? "Signing out…" : "Sign out everywhere"}
        </Button>
      </div>
    </dialog>
  );
}
