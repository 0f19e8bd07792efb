import Link from "next/link";
import { searchConversations } from "@relay/core";
import { parsePayload } from "@relay/shared/protocol";
import { ZAdminConversationQuerySchema } from "@relay/shared/schemas";
import { conversationTitle, fmtDateTime } from "@/components/format";
import {
  Empty,
  ErrorNote,
  Field,
  FilterForm,
  PageHeader,
  Pager,
  Table,
  Tag,
} from "@/components/ui";
import { getDeps } from "@/server/deps";
import { CONVERSATION_FILTER_KEYS, pick, type TSearchParams } from "@/server/filters";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "Conversations" };

export default async function ConversationsPage({
  searchParams,
}: {
  searchParams: Promise<TSearchParams>;
}) {
  const staff = await requireStaff("MODERATOR");
  const raw = pick(await searchParams, CONVERSATION_FILTER_KEYS);
  const query = parsePayload(ZAdminConversationQuerySchema, raw);
  const result = query.ok
    ? await searchConversations(getDeps(), staff.ctx, { ...query.data, limit: 50 })
    : { conversations: [], nextCursor: null };
  return (
    <>
      <PageHeader title="Conversations" lead="Groups and direct messages, newest first." />
      <FilterForm action="/conversations" resetHref="/conversations" label="Filter conversations">
        <Field label="Title or member (name, email)" wide>
          <input name="query" type="search" defaultValue={raw.query} />
        </Field>
        <Field label="Type">
          <select name="type" defaultValue={raw.type ?? ""}>
            <option value="">Any</option>
            <option value="group">Groups</option>
            <option value="direct">Direct messages</option>
          </select>
        </Field>
      </FilterForm>
      {!query.ok ? (
        <ErrorNote message={`These filters are not valid: ${query.error.message}`} />
      ) : result.conversations.length === 0 ? (
        <Empty>No conversations match.</Empty>
      ) : (
        <Table label="Conversations">
          <thead>
            <tr>
              <th>Conversation</th>
              <th>Type</th>
              <th className="num">Members</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {result.conversations.map((c) => (
              <tr key={c.id} data-testid="conversation-row">
                <td>
                  <Link href={`/conversations/${c.id}`} className="strong">
                    {conversationTitle(c)}
                  </Link>
                  {c.deletedAt ? <Tag tone="tag--muted">deleted</Tag> : null}
                  {c.type === "group" ? (
                    <div className="muted small">
                      {c.members.map((m) => m.name).join(", ")}
                      {c.memberCount > c.members.length ? ", …" : ""}
                    </div>
                  ) : null}
                </td>
                <td>{c.type === "group" ? "group" : "direct"}</td>
                <td className="num">{c.memberCount}</td>
                <td className="nowrap">{fmtDateTime(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager path="/conversations" params={raw} nextCursor={result.nextCursor} />
    </>
  );
}
