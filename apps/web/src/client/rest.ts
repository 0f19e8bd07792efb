// REST v1 from the browser (session cookie). Errors come back as the
// contract's {code, message}; callers show the message.
import type {
  TConversationSummary,
  TRealtimeToken,
  TReportReceipt,
  TReportRequest,
  TUserPublic,
} from "@relay/shared/schemas";

export class RestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new RestError("UNAVAILABLE", "Can't reach Relay. Check your connection.", 0);
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new RestError(
      err?.code ?? "INTERNAL",
      err?.message ?? `request failed (${res.status})`,
      res.status,
    );
  }
  return data as T;
}

export const rest = {
  signup: (email: string, password: string, name: string) =>
    call<{ user: TUserPublic }>("POST", "/auth/signup", { email, password, name }),
  realtimeToken: () => call<TRealtimeToken>("GET", "/auth/realtime-token"),
  conversations: () =>
    call<{ conversations: TConversationSummary[] }>("GET", "/conversations").then(
      (r) => r.conversations,
    ),
  searchUsers: (query: string) =>
    call<{ users: TUserPublic[] }>("GET", `/users?query=${encodeURIComponent(query)}`).then(
      (r) => r.users,
    ),
  createDirect: (userId: string) =>
    call<{ conversation: TConversationSummary }>("POST", "/conversations", {
      type: "direct",
      userId,
    }).then((r) => r.conversation),
  createGroup: (title: string, memberIds: string[]) =>
    call<{ conversation: TConversationSummary }>("POST", "/conversations", {
      type: "group",
      title,
      memberIds,
    }).then((r) => r.conversation),
  addMembers: (id: string, userIds: string[]) =>
    call<unknown>("POST", `/conversations/${id}/members`, { userIds }),
  removeMember: (id: string, userId: string) =>
    call<unknown>("DELETE", `/conversations/${id}/members/${userId}`),
  leave: (id: string) => call<unknown>("POST", `/conversations/${id}/leave`),
  mute: (id: string, mutedUntil: string | null) =>
    call<unknown>("PATCH", `/conversations/${id}/settings`, { mutedUntil }),
  report: (input: TReportRequest) => call<TReportReceipt>("POST", "/reports", input),
  /** Ends every session of the account, this browser's included (204). */
  signOutEverywhere: () => call<undefined>("POST", "/me/sessions/revoke-all"),
};
