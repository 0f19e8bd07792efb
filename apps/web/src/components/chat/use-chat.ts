"use client";

import { createContext, useContext, useSyncExternalStore } from "react";
import type { ChatClient } from "@/client/chat-client";
import type { TChatState } from "@/client/chat-state";

export const ChatContext = createContext<ChatClient | null>(null);

export function useChatClient(): ChatClient {
  const client = useContext(ChatContext);
  if (!client) throw new Error("useChatClient outside ChatContext");
  return client;
}

export function useChatState<T>(select: (s: TChatState) => T): T {
  const client = useChatClient();
  return useSyncExternalStore(
    client.store.subscribe,
    () => select(client.store.get()),
    () => select(client.store.get()),
  );
}
