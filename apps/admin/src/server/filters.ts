// URL query → input of the shared list schemas. Only known keys are passed
// on (a stale or hand-edited URL must not turn into INVALID_PAYLOAD for an
// unknown key), blank fields are dropped, and the date inputs of the filter
// forms (UTC) become ISO instants: a "from" day starts at 00:00, a "to" day
// ends at 23:59:59.999.

export type TSearchParams = Record<string, string | string[] | undefined>;

export function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === "" ? undefined : s.trim();
}

export function pick<K extends string>(
  params: TSearchParams,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = first(params[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** `2026-12-01` → start or end of that day (UTC); `2026-12-01T10:30` (datetime-local) → that minute, UTC. Anything else is passed on for the schema to refuse. */
export function toInstant(v: string | undefined, edge: "start" | "end"): string | undefined {
  if (v === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v))
    return `${v}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v))
    return `${v}:${edge === "start" ? "00.000" : "59.999"}Z`;
  return v;
}

export const USER_FILTER_KEYS = [
  "query",
  "role",
  "status",
  "createdFrom",
  "createdTo",
  "lastSeenFrom",
  "lastSeenTo",
  "cursor",
] as const;

export function userFilterInput(params: TSearchParams) {
  const p = pick(params, USER_FILTER_KEYS);
  return {
    ...p,
    createdFrom: toInstant(p.createdFrom, "start"),
    createdTo: toInstant(p.createdTo, "end"),
    lastSeenFrom: toInstant(p.lastSeenFrom, "start"),
    lastSeenTo: toInstant(p.lastSeenTo, "end"),
  };
}

export const AUDIT_FILTER_KEYS = [
  "actorId",
  "action",
  "targetType",
  "targetId",
  "from",
  "to",
  "cursor",
] as const;

export function auditFilterInput(params: TSearchParams, opts: { cursor: boolean }) {
  const p = pick(params, AUDIT_FILTER_KEYS);
  if (!opts.cursor) delete p.cursor;
  return { ...p, from: toInstant(p.from, "start"), to: toInstant(p.to, "end") };
}

export const CONVERSATION_FILTER_KEYS = ["query", "type", "cursor"] as const;
export const REPORT_FILTER_KEYS = ["status", "category", "cursor"] as const;
