import type { TPresence } from "@relay/shared/schemas";
import type { TConversationState, TChatState } from "@/client/chat-state";

export function conversationTitle(c: TConversationState, me: string | null): string {
  if (c.summary.title) return c.summary.title;
  const others = c.summary.members.filter((m) => m.userId !== me);
  return others.map((m) => m.name).join(", ") || "Just you";
}

/** The other person of a direct conversation. */
export function directPeer(c: TConversationState, me: string | null) {
  return c.summary.type === "direct" ? c.summary.members.find((m) => m.userId !== me) : undefined;
}

export function presenceOf(
  state: TChatState,
  userId: string | undefined,
): TPresence["status"] | undefined {
  return userId ? (state.presence[userId]?.status ?? "offline") : undefined;
}

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const day = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const short = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export const formatTime = (iso: string) => time.format(new Date(iso));

export function formatDay(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = (startOf(now) - startOf(d)) / 86_400_000;
  if (diff === 0) return "Today";
  if (diff === 1) return "Yesterday";
  return day.format(d);
}

/** List timestamp: time today, otherwise a short date. */
export function formatListTime(iso: string, now = new Date()): string {
  return new Date(iso).toDateString() === now.toDateString()
    ? time.format(new Date(iso))
    : short.format(new Date(iso));
}

export function formatLastSeen(p: TPresence | undefined, now = Date.now()): string {
  if (!p) return "";
  if (p.status === "online") return "online";
  if (p.status === "away") return "away";
  if (!p.lastSeenAt) return "offline";
  const mins = Math.round((now - new Date(p.lastSeenAt).getTime()) / 60_000);
  if (mins < 1) return "last seen just now";
  if (mins < 60) return `last seen ${mins} min ago`;
  if (mins < 24 * 60) return `last seen today at ${formatTime(p.lastSeenAt)}`;
  return `last seen ${short.format(new Date(p.lastSeenAt))}`;
}
