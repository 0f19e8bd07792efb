import Link from "next/link";
import { listReportQueue, type TReportQueueItem } from "@relay/core";
import { parsePayload } from "@relay/shared/protocol";
import { ZReportCategorySchema, ZReportQueueQuerySchema } from "@relay/shared/schemas";
import { ConfirmAction } from "@/components/confirm-action";
import { CATEGORY_LABELS, fmtDateTime } from "@/components/format";
import {
  Empty,
  ErrorNote,
  Field,
  FilterForm,
  PageHeader,
  Pager,
  StatusTag,
  Tag,
} from "@/components/ui";
import { resolveReportsAction } from "@/server/actions/reports";
import { getDeps } from "@/server/deps";
import { pick, REPORT_FILTER_KEYS, type TSearchParams } from "@/server/filters";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "Reports" };

const RESOLUTION_LABELS: Record<string, string> = {
  delete_message: "message deleted",
  suspend_author: "author suspended",
  dismiss: "dismissed",
};

export default async function ReportsPage({
  searchParams,
}: {
  searchParams: Promise<TSearchParams>;
}) {
  const staff = await requireStaff("MODERATOR");
  const raw = pick(await searchParams, REPORT_FILTER_KEYS);
  const query = parsePayload(ZReportQueueQuerySchema, raw);
  const result = query.ok
    ? await listReportQueue(getDeps(), staff.ctx, { ...query.data, limit: 25 })
    : { items: [], nextCursor: null };
  const status = query.ok ? query.data.status : "OPEN";
  return (
    <>
      <PageHeader
        title="Reports"
        lead="Reports of one message form one item; an action closes all of them at once."
      />
      <FilterForm action="/reports" resetHref="/reports" label="Filter reports">
        <Field label="State">
          <select name="status" defaultValue={status}>
            <option value="OPEN">Open</option>
            <option value="RESOLVED">Resolved</option>
            <option value="DISMISSED">Dismissed</option>
          </select>
        </Field>
        <Field label="Category">
          <select name="category" defaultValue={raw.category ?? ""}>
            <option value="">Any</option>
            {ZReportCategorySchema.options.map((c) => (
              <option key={c} value={c}>
                {CATEGORY_LABELS[c] ?? c}
              </option>
            ))}
          </select>
        </Field>
      </FilterForm>
      {!query.ok ? (
        <ErrorNote message={`These filters are not valid: ${query.error.message}`} />
      ) : result.items.length === 0 ? (
        <Empty>
          {status === "OPEN" ? "The queue is empty. Nothing to review." : "Nothing here."}
        </Empty>
      ) : (
        <ol className="reports">
          {result.items.map((item) => (
            <ReportItem key={item.messageId} item={item} />
          ))}
        </ol>
      )}
      <Pager path="/reports" params={raw} nextCursor={result.nextCursor} />
    </>
  );
}

function ReportItem({ item }: { item: TReportQueueItem }) {
  const context = `/conversations/${item.conversationId}?around=${item.messageSeq}#seq-${item.messageSeq}`;
  const hidden = { messageId: item.messageId };
  return (
    <li className="report panel" data-testid="report-item" data-message-id={item.messageId}>
      <div className="report__head">
        <span className="report__count">
          {item.reports} report{item.reports === 1 ? "" : "s"}
        </span>
        {item.categories.map((c) => (
          <Tag key={c} tone="tag--cat">
            {CATEGORY_LABELS[c] ?? c}
          </Tag>
        ))}
        <StatusTag status={item.status} />
        <span className="muted small">
          last {fmtDateTime(item.lastReportedAt)}
          {item.reports > 1 ? `, first ${fmtDateTime(item.firstReportedAt)}` : ""}
        </span>
      </div>
      <blockquote className="quote" data-testid="report-body">
        {item.messageBody || <span className="muted">(the message was already deleted)</span>}
      </blockquote>
      <p className="small">
        By{" "}
        {item.authorId ? (
          <Link href={`/users/${item.authorId}`} className="strong">
            {item.authorName ?? item.authorId}
          </Link>
        ) : (
          "a deleted account"
        )}{" "}
        · <Link href={context}>View in conversation (message #{item.messageSeq})</Link>
      </p>
      {item.reasons.length ? (
        <details className="reasons" open={item.reasons.length <= 3}>
          <summary>Reporters&apos; details ({item.reasons.length})</summary>
          <ul>
            {item.reasons.map((r, i) => (
              <li key={i}>“{r}”</li>
            ))}
          </ul>
        </details>
      ) : (
        <p className="muted small">No details from the reporters.</p>
      )}
      {item.status === "OPEN" ? (
        <div className="actions">
          <ConfirmAction
            action={resolveReportsAction}
            label="Delete message"
            variant="danger"
            title="Delete the message and resolve its reports?"
            description="Members see it disappear at once."
            confirmLabel="Confirm delete"
            hidden={{ ...hidden, action: "delete_message" }}
          />
          <ConfirmAction
            action={resolveReportsAction}
            label="Suspend author"
            title={`Suspend ${item.authorName ?? "the author"} and resolve the reports?`}
            description="They are signed out everywhere at once."
            confirmLabel="Confirm suspension"
            hidden={{ ...hidden, action: "suspend_author" }}
            disabled={!item.authorId}
            disabledReason="The author's account no longer exists."
          >
            <label className="field">
              <span className="field__label">Duration</span>
              <select name="suspendMinutes" defaultValue="1440">
                <option value="60">1 hour</option>
                <option value="1440">24 hours</option>
                <option value="10080">7 days</option>
                <option value="">Until lifted</option>
              </select>
            </label>
          </ConfirmAction>
          <ConfirmAction
            action={resolveReportsAction}
            label="Dismiss"
            variant="ghost"
            title="Dismiss these reports?"
            description="Nothing happens to the message or its author."
            confirmLabel="Confirm dismiss"
            confirmVariant="primary"
            hidden={{ ...hidden, action: "dismiss" }}
          />
        </div>
      ) : (
        <p className="small">
          {item.status === "DISMISSED" ? "Dismissed" : "Resolved"}
          {item.resolution
            ? ` (${RESOLUTION_LABELS[item.resolution] ?? item.resolution})`
            : ""}{" "}
          {fmtDateTime(item.resolvedAt)}
          {item.resolvedById ? (
            <>
              {" "}
              by <Link href={`/users/${item.resolvedById}`}>this moderator</Link>
            </>
          ) : null}
          {item.resolutionNote ? <>: “{item.resolutionNote}”</> : null}
        </p>
      )}
    </li>
  );
}
