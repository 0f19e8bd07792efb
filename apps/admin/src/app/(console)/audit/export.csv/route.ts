// The audit log as CSV, with the filters of /audit (at most 10,000 rows, newest first).
import { auditToCsv, listAudit, type TAuditRow } from "@relay/core";
import { parsePayloadOrThrow } from "@relay/shared/protocol";
import { ZAuditQuerySchema } from "@relay/shared/schemas";
import { auditFilterInput } from "@/server/filters";
import { staffRoute } from "@/server/route";

export const dynamic = "force-dynamic";

const MAX_EXPORT_ROWS = 10_000;
const PAGE = 1_000;

export const GET = staffRoute("MODERATOR", async ({ req, deps, staff }) => {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const filters = parsePayloadOrThrow(
    ZAuditQuerySchema,
    auditFilterInput(params, { cursor: false }),
  );
  const rows: TAuditRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAudit(deps, staff.ctx, {
      ...filters,
      cursor,
      limit: Math.min(PAGE, MAX_EXPORT_ROWS - rows.length),
    });
    rows.push(...page.entries);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && rows.length < MAX_EXPORT_ROWS);
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "-");
  return new Response(auditToCsv(rows), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="relay-audit-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-relay-rows": String(rows.length),
      ...(cursor ? { "x-relay-truncated": "true" } : {}),
    },
  });
});
