// Formatting shared by server and client components (deterministic: UTC).

/** "2026-12-01 19:58 UTC"; "—" for null. */
export function fmtDateTime(iso: string | Date | null | undefined): string {
  if (!iso) return "—";
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function fmtDate(iso: string | Date | null | undefined): string {
  if (!iso) return "—";
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return Number.isNaN(d.getTime()) ? "—" : d.toISOString().slice(0, 10);
}

/** A path with query parameters; empty values are left out. */
export function hrefWith(path: string, params: Record<string, string | number | undefined | null>) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && String(v) !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const ACTION_LABELS: Record<string, string> = {
  "user.suspended": "Suspended user",
  "user.unsuspended": "Lifted suspension",
  "user.suspension_ended": "Suspension ended",
  "user.banned": "Banned user",
  "user.unbanned": "Unbanned user",
  "user.logged_out": "Forced logout",
  "user.role_changed": "Changed role",
  "user.totp_enabled": "Enabled two-factor",
  "message.deleted": "Deleted message",
  "group.renamed": "Renamed group",
  "group.member_added": "Added member",
  "group.member_removed": "Removed member",
  "group.ownership_transferred": "Transferred ownership",
  "group.deleted": "Deleted group",
  "report.created": "Report filed",
  "report.resolved": "Resolved reports",
  "report.dismissed": "Dismissed reports",
};

export const CATEGORY_LABELS: Record<string, string> = {
  SPAM: "Spam",
  HARASSMENT: "Harassment",
  HATE: "Hate",
  SEXUAL: "Sexual content",
  VIOLENCE: "Violence",
  SELF_HARM: "Self-harm",
  OTHER: "Other",
};

/** A group's title, or a DM's two names. */
export function conversationTitle(c: {
  type: "direct" | "group";
  title: string | null;
  members: ReadonlyArray<{ name: string }>;
}): string {
  if (c.title) return c.title;
  if (c.type === "direct") return c.members.map((m) => m.name).join(" & ") || "Direct message";
  return "Untitled group";
}
