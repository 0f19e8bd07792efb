"use client";

import { useEffect, useMemo, useState } from "react";
import { ChatClient } from "@/client/chat-client";
import type { TMe } from "@/client/me";
import { rest } from "@/client/rest";
import { ChatView } from "./chat-view";
import { Sidebar } from "./sidebar";
import { ChatContext, useChatState } from "./use-chat";

export function ChatApp({ me }: { me: TMe }) {
  const client = useMemo(
    () =>
      new ChatClient({
        me: me.id,
        fetchRealtimeToken: rest.realtimeToken,
        fetchConversations: rest.conversations,
      }),
    [me.id],
  );
  const [startError, setStartError] = useState<string | null>(null);
  useEffect(() => {
    client
      .start()
      .catch((err: unknown) =>
        setStartError(err instanceof Error ? err.message : "Could not connect"),
      );
    return () => client.stop();
  }, [client]);

  return (
    <ChatContext.Provider value={client}>
      <Shell me={me} startError={startError} />
    </ChatContext.Provider>
  );
}

function Shell({ me, startError }: { me: TMe; startError: string | null }) {
  const [selected, setSelected] = useState<string | null>(null);
  const connection = useChatState((s) => s.connection);
  const exists = useChatState((s) => (selected ? Boolean(s.conversations[selected]) : false));

  // The open conversation lives in the URL (?c=…) so reload keeps it.
  useEffect(() => {
    setSelected(new URLSearchParams(window.location.search).get("c"));
  }, []);
  const select = (id: string | null) => {
    setSelected(id);
    const url = new URL(window.location.href);
    if (id) url.searchParams.set("c", id);
    else url.searchParams.delete("c");
    window.history.replaceState(null, "", url);
  };

  const open = selected && exists ? selected : null;
  return (
    <div className={`chat${open ? " chat--open" : ""}`}>
      {startError ? (
        <div className="banner banner--error" role="alert">
          {startError}
        </div>
      ) : connection !== "online" ? (
        <div className="banner" role="status" data-testid="connection-banner">
          {connection === "connecting"
            ? "Connecting…"
            : connection === "offline"
              ? "Offline"
              : "Reconnecting…"}
        </div>
      ) : null}
      <Sidebar me={me} selected={open} onSelect={select} />
      <main className="chat__main">
        {open ? (
          <ChatView
            key={open}
            conversationId={open}
            me={me}
            onBack={() => select(null)}
            onLeft={() => select(null)}
          />
        ) : (
          <div className="chat__empty">
            <p>Select a conversation or start a new one.</p>
          </div>
        )}
      </main>
    </div>
  );
}
