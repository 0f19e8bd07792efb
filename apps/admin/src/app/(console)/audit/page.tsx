import Link from "next/link";
import { listAudit, type TAuditRow } from "@relay/core";
import { parsePayload } from "@relay/shared/protocol";
import { ZAuditQuerySchema } from "@relay/shared/schemas";
import { ACTION_LABELS, fmtDateTime, hrefWith } from "@/components/format";
import { Empty, ErrorNote, Field, FilterForm, PageHeader, Pager, Table } from "@/components/ui";
import { getDeps } from "@/server/deps";
import { AUDIT_FILTER_KEYS, auditFilterInput, pick, type TSearchParams } from "@/server/filters";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit log" };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<TSearchParams>;
}) {
  const staff = await requireStaff("MODERATOR");
  const params = await searchParams;
  const raw = pick(params, AUDIT_FILTER_KEYS);
  const query = parsePayload(ZAuditQuerySchema, auditFilterInput(params, { cursor: true }));
  const result = query.ok
    ? await listAudit(getDeps(), staff.ctx, { ...query.data, limit: 50 })
    : { entries: [], nextCursor: null };
  const filters = { ...raw, cursor: undefined };
  return (
    <>
      <PageHeader
        title="Audit log"
        lead="Every moderation and admin action, append-only, newest first. Times are UTC."
      >
        <a
          className="rl-btn rl-btn--secondary"
          href={hrefWith("/audit/export.csv", filters)}
          download
        >
          Export CSV
        </a>
      </PageHeader>
      <FilterForm
        more={
          <details className="filters__more" open={!!(raw.from || raw.to)}>
            <summary>Time range (UTC)</summary>
            <div className="filters__more-fields">
              <Field label="From (UTC)">
                <input name="from" type="datetime-local" defaultValue={raw.from} />
              </Field>
              <Field label="To (UTC)">
                <input name="to" type="datetime-local" defaultValue={raw.to} />
              </Field>
            </div>
          </details>
        }
        action="/audit"
        resetHref="/audit"
        label="Filter the audit log"
      >
        <Field label="Actor (user id)">
          <input name="actorId" defaultValue={raw.actorId} placeholder="uuid" />
        </Field>
        <Field label="Action">
          <select name="action" defaultValue={raw.action ?? ""}>
            <option value="">Any</option>
            {Object.entries(ACTION_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Target type">
          <select name="targetType" defaultValue={raw.targetType ?? ""}>
            <option value="">Any</option>
            <option value="user">User</option>
            <option value="conversation">Conversation</option>
            <option value="message">Message</option>
            <option value="report">Report</option>
          </select>
        </Field>
        <Field label="Target id">
          <input name="targetId" defaultValue={raw.targetId} placeholder="uuid" />
        </Field>
      </FilterForm>
      {!query.ok ? (
        <ErrorNote message={`These filters are not valid: ${query.error.message}`} />
      ) : result.entries.length === 0 ? (
        <Empty>No entries match.</Empty>
      ) : (
        <Table label="Audit log">
          <thead>
            <tr>
              <th>When</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Target</th>
              <th>Reason</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {result.entries.map((e) => (
              <AuditRow key={e.id} e={e} />
            ))}
          </tbody>
        </Table>
      )}
      <Pager path="/audit" params={raw} nextCursor={result.nextCursor} />
    </>
  );
}

function targetHref(e: TAuditRow): string | null {
  if (e.targetType === "user") return `/users/${e.targetId}`;
  if (e.targetType === "conversation") return `/conversations/${e.targetId}`;
  const meta = e.meta as { conversationId?: unknown } | null;
  if (e.targetType === "message" && typeof meta?.conversationId === "string") {
    const before = e.before as { seq?: unknown } | null;
    return typeof before?.seq === "number"
      ? `/conversations/${meta.conversationId}?around=${before.seq}#seq-${before.seq}`
      : `/conversations/${meta.conversationId}`;
  }
  return null;
}

function AuditRow({ e }: { e: TAuditRow }) {
  const href = targetHref(e);
  const details = { before: e.before, after: e.after, meta: e.meta };
  const hasDetails = Object.values(details).some((v) => v !== null && v !== undefined);
  return (
    <tr data-testid="audit-row" data-action={e.action}>
      <td className="nowrap small">{fmtDateTime(e.at)}</td>
      <td>
        {e.actorId ? (
          <Link href={`/users/${e.actorId}`}>{e.actorName ?? e.actorId.slice(0, 8)}</Link>
        ) : (
          "system"
        )}
        {e.actorRole ? <div className="muted small">{e.actorRole.toLowerCase()}</div> : null}
      </td>
      <td>
        <span className="strong">{ACTION_LABELS[e.action] ?? e.action}</span>
        <div className="muted small mono">{e.action}</div>
      </td>
      <td className="small">
        {e.targetType}{" "}
        {href ? (
          <Link href={href} className="mono">
            {e.targetId.slice(0, 8)}
          </Link>
        ) : (
          <span className="mono">{e.targetId.slice(0, 8)}</span>
        )}
      </td>
      <td className="reason">{e.reason ?? <span className="muted">—</span>}</td>
      <td className="small">
        {hasDetails ? (
          <details>
            <summary>JSON</summary>
            <pre className="json">{JSON.stringify(details, null, 2)}</pre>
          </details>
        ) : null}
        {e.ip ? <div className="muted">IP {e.ip}</div> : null}
      </td>
    </tr>
  );
}
