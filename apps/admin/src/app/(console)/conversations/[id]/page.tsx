import Link from "next/link";
import { notFound } from "next/navigation";
import {
  getConversationForModeration,
  listUsers,
  moderationHistory,
  type TAdminUserRow,
} from "@relay/core";
import { AppError } from "@relay/shared/errors";
import { parsePayload } from "@relay/shared/protocol";
import { ZAdminConversationViewQuerySchema, ZIdSchema } from "@relay/shared/schemas";
import { ConfirmAction } from "@/components/confirm-action";
import { conversationTitle, fmtDateTime, hrefWith } from "@/components/format";
import { Empty, ErrorNote, PageHeader, Section, StatusTag, Table, Tag } from "@/components/ui";
import {
  addMemberAction,
  deleteGroupAction,
  deleteMessageAction,
  removeMemberAction,
  renameGroupAction,
  transferOwnershipAction,
} from "@/server/actions/conversations";
import { getDeps } from "@/server/deps";
import { pick, type TSearchParams } from "@/server/filters";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "Conversation" };

export default async function ConversationPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<TSearchParams>;
}) {
  const staff = await requireStaff("MODERATOR");
  const { id } = await params;
  if (!ZIdSchema.safeParse(id).success) notFound();
  const deps = getDeps();
  const conv = await getConversationForModeration(deps, staff.ctx, id).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const view = parsePayload(
    ZAdminConversationViewQuerySchema,
    pick(await searchParams, ["before", "around", "people"]),
  );
  const q = view.ok ? view.data : {};
  const history = await moderationHistory(deps, staff.ctx, {
    conversationId: conv.id,
    ...(q.around !== undefined ? { aroundSeq: q.around } : {}),
    ...(q.around === undefined && q.before !== undefined ? { beforeSeq: q.before } : {}),
  });
  const memberIds = new Set(conv.members.map((m) => m.userId));
  let people: TAdminUserRow[] = [];
  if (q.people)
    people = (
      await listUsers(deps, staff.ctx, { query: q.people, status: "ACTIVE", limit: 8 })
    ).users.filter((u) => !memberIds.has(u.id));
  const names = new Map(conv.members.map((m) => [m.userId, m.name]));
  const isGroup = conv.type === "group";
  const editable = isGroup && !conv.deletedAt;
  const isAdmin = staff.role === "ADMIN";
  const title = conversationTitle(conv);
  const base = `/conversations/${conv.id}`;
  const first = history.messages[0];
  const showingLatest = q.around === undefined && q.before === undefined;

  return (
    <>
      <p className="crumbs">
        <Link href="/conversations">Conversations</Link> / {title}
      </p>
      <PageHeader
        title={title}
        lead={
          <>
            {isGroup ? "Group" : "Direct message"} · {conv.memberCount} member
            {conv.memberCount === 1 ? "" : "s"} · created {fmtDateTime(conv.createdAt)} · last seq{" "}
            {conv.lastSeq}
            {conv.deletedAt ? (
              <>
                {" "}
                <Tag tone="tag--bad">deleted {fmtDateTime(conv.deletedAt)}</Tag>
              </>
            ) : null}
          </>
        }
      >
        {editable ? (
          <>
            <ConfirmAction
              action={renameGroupAction}
              label="Rename"
              title="Rename the group"
              description="Every member sees the new name at once."
              confirmLabel="Confirm rename"
              confirmVariant="primary"
              hidden={{ conversationId: conv.id }}
            >
              <label className="field field--wide">
                <span className="field__label">New name</span>
                <input name="title" required maxLength={100} defaultValue={conv.title ?? ""} />
              </label>
            </ConfirmAction>
            {isAdmin ? (
              <ConfirmAction
                action={deleteGroupAction}
                label="Delete group"
                variant="danger"
                title={`Delete “${title}”?`}
                description="The group disappears for every member at once. This cannot be undone from the console."
                confirmLabel="Confirm delete"
                hidden={{ conversationId: conv.id }}
              />
            ) : null}
          </>
        ) : null}
      </PageHeader>

      <Section title="Members" id="members">
        <Table label="Members">
          <thead>
            <tr>
              <th>Member</th>
              <th>Role</th>
              <th>Joined</th>
              <th>Status</th>
              {editable ? <th>Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {conv.members.map((m) => (
              <tr key={m.userId} data-testid="member-row">
                <td>
                  <Link href={`/users/${m.userId}`} className="strong">
                    {m.name}
                  </Link>
                  <div className="muted small break">{m.email}</div>
                </td>
                <td>{m.role.toLowerCase()}</td>
                <td className="nowrap">{fmtDateTime(m.joinedAt)}</td>
                <td>
                  <StatusTag status={m.status} />
                </td>
                {editable ? (
                  <td>
                    <div className="actions actions--tight">
                      <ConfirmAction
                        action={transferOwnershipAction}
                        label="Make owner"
                        title={`Make ${m.name} the owner?`}
                        description="The current owners become admins of the group."
                        confirmLabel="Confirm transfer"
                        confirmVariant="primary"
                        variant="ghost"
                        hidden={{ conversationId: conv.id, userId: m.userId }}
                        disabled={m.role === "OWNER"}
                        disabledReason="Already an owner."
                      />
                      <ConfirmAction
                        action={removeMemberAction}
                        label="Remove"
                        title={`Remove ${m.name} from the group?`}
                        description="They stop receiving the group's messages at once."
                        confirmLabel="Confirm removal"
                        variant="ghost"
                        hidden={{ conversationId: conv.id, userId: m.userId }}
                      />
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
        {editable ? (
          <div className="addmember">
            <h3 className="panel__subtitle">Add a member</h3>
            <form className="filters filters--inline" action={base} method="get" role="search">
              <label className="field field--wide">
                <span className="field__label">Find people (name or email)</span>
                <input name="people" type="search" defaultValue={q.people} />
              </label>
              <div className="filters__buttons">
                <button className="rl-btn rl-btn--secondary" type="submit">
                  Search
                </button>
              </div>
            </form>
            {q.people ? (
              people.length === 0 ? (
                <Empty>No active user outside the group matches “{q.people}”.</Empty>
              ) : (
                <ul className="list list--people">
                  {people.map((u) => (
                    <li key={u.id} data-testid="person-result">
                      <span>
                        <strong>{u.name}</strong> <span className="muted small">{u.email}</span>
                      </span>
                      <ConfirmAction
                        action={addMemberAction}
                        label="Add"
                        title={`Add ${u.name} to the group?`}
                        confirmLabel="Confirm add"
                        confirmVariant="primary"
                        variant="secondary"
                        hidden={{ conversationId: conv.id, userId: u.id }}
                      />
                    </li>
                  ))}
                </ul>
              )
            ) : null}
            <ConfirmAction
              action={addMemberAction}
              label="Add by user id…"
              title="Add a member by user id"
              confirmLabel="Confirm add"
              confirmVariant="primary"
              variant="ghost"
              hidden={{ conversationId: conv.id }}
            >
              <label className="field field--wide">
                <span className="field__label">User id</span>
                <input
                  name="userId"
                  required
                  pattern="[0-9a-fA-F-]{36}"
                  placeholder="00000000-0000-0000-0000-000000000000"
                />
              </label>
            </ConfirmAction>
          </div>
        ) : null}
      </Section>

      <Section
        title="Messages"
        id="messages"
        aside={
          <div className="actions actions--tight">
            {history.hasMoreBefore && first ? (
              <Link
                className="rl-btn rl-btn--secondary"
                href={hrefWith(base, { before: first.seq })}
              >
                Older messages
              </Link>
            ) : null}
            {!showingLatest ? (
              <Link className="rl-btn rl-btn--secondary" href={base}>
                Latest messages
              </Link>
            ) : null}
          </div>
        }
      >
        {!view.ok ? <ErrorNote message={view.error.message} /> : null}
        {q.around !== undefined ? (
          <p className="muted small">
            Showing the context around message #{q.around} (highlighted).
          </p>
        ) : null}
        {history.messages.length === 0 ? (
          <Empty>No messages.</Empty>
        ) : (
          <ol className="messages">
            {history.messages.map((m) => {
              const highlighted = m.seq === q.around;
              return (
                <li
                  key={m.id}
                  id={`seq-${m.seq}`}
                  className={`message${highlighted ? " message--highlight" : ""}${m.deleted ? " message--deleted" : ""}`}
                  aria-current={highlighted ? "true" : undefined}
                  data-testid="admin-message"
                  data-seq={m.seq}
                >
                  <div className="message__head">
                    <Link href={`/users/${m.senderId}`} className="strong">
                      {names.get(m.senderId) ?? "Former member"}
                    </Link>
                    <span className="muted small">
                      #{m.seq} · {fmtDateTime(m.createdAt)}
                      {m.editedAt && !m.deleted ? " · edited" : ""}
                    </span>
                    {!m.deleted ? (
                      <span className="message__actions">
                        <ConfirmAction
                          action={deleteMessageAction}
                          label="Delete"
                          variant="ghost"
                          title="Delete this message for everyone?"
                          description={<blockquote className="quote">{m.body}</blockquote>}
                          confirmLabel="Confirm delete"
                          hidden={{ conversationId: conv.id, messageId: m.id }}
                        />
                      </span>
                    ) : null}
                  </div>
                  {m.deleted ? (
                    <p className="message__body muted">Message deleted</p>
                  ) : (
                    <p className="message__body">{m.body}</p>
                  )}
                </li>
              );
            })}
          </ol>
        )}
      </Section>
    </>
  );
}
