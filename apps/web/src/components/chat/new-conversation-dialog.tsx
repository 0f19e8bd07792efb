"use client";

import { useEffect, useRef, useState } from "react";
import { LIMITS } from "@relay/shared/limits";
import type { TUserPublic } from "@relay/shared/schemas";
import { Button, FormError, TextField } from "@relay/ui";
import { rest } from "@/client/rest";
import { PeopleSearch } from "./people-search";
import { useChatClient } from "./use-chat";

export function NewConversationDialog({
  kind,
  onClose,
  onCreated,
}: {
  kind: "direct" | "group";
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const client = useChatClient();
  const ref = useRef<HTMLDialogElement>(null);
  const [picked, setPicked] = useState<TUserPublic[]>([]);
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    ref.current?.showModal();
  }, []);

  async function create(fn: () => Promise<{ id: string }>) {
    setBusy(true);
    setError(null);
    try {
      const conv = await fn();
      await client.refreshConversations();
      onCreated(conv.id);
    } catch (err) {
      setError(err instanceof Error ? err.message : "failed");
      setBusy(false);
    }
  }

  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="new-conv-title">
      <h2 id="new-conv-title">{kind === "direct" ? "New chat" : "New group"}</h2>
      {kind === "group" ? (
        <TextField
          label="Group name"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          maxLength={LIMITS.titleMaxChars}
          required
        />
      ) : null}
      <PeopleSearch
        selectedIds={picked.map((p) => p.id)}
        onPick={(u) => {
          if (kind === "direct") void create(() => rest.createDirect(u.id));
          else
            setPicked((cur) =>
              cur.some((p) => p.id === u.id) ? cur.filter((p) => p.id !== u.id) : [...cur, u],
            );
        }}
      />
      {kind === "group" && picked.length > 0 ? (
        <p className="dialog__picked">Adding: {picked.map((p) => p.name).join(", ")}</p>
      ) : null}
      <FormError message={error} />
      <div className="dialog__actions">
        <Button variant="secondary" onClick={() => ref.current?.close()}>
          Cancel
        </Button>
        {kind === "group" ? (
          <Button
            disabled={busy || !title.trim()}
            onClick={() =>
              void create(() =>
                rest.createGroup(
                  title.trim(),
                  picked.map((p) => p.id),
                ),
              )
            }
          >
            Create group
          </Button>
        ) : null}
      </div>
    </dialog>
  );
}
