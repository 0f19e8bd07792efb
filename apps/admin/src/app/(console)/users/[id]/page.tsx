import Link from "next/link";
import { notFound } from "next/navigation";
import { getUserForModeration, ROLE_RANK, type TAuditRow } from "@relay/core";
import { AppError } from "@relay/shared/errors";
import { ZIdSchema } from "@relay/shared/schemas";
import { ConfirmAction } from "@/components/confirm-action";
import { ACTION_LABELS, fmtDateTime } from "@/components/format";
import { Empty, PageHeader, RoleTag, Section, StatusTag, Table, Tag } from "@/components/ui";
import {
  banUserAction,
  changeRoleAction,
  forceLogoutAction,
  liftSanctionAction,
  suspendUserAction,
} from "@/server/actions/users";
import { getDeps } from "@/server/deps";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "User" };

const DURATIONS = [
  { value: "60", label: "1 hour" },
  { value: "1440", label: "24 hours" },
  { value: "10080", label: "7 days" },
  { value: "", label: "Until lifted" },
];

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const staff = await requireStaff("MODERATOR");
  const { id } = await params;
  if (!ZIdSchema.safeParse(id).success) notFound();
  const detail = await getUserForModeration(getDeps(), staff.ctx, id).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const { user } = detail;
  const isAdmin = staff.role === "ADMIN";
  const self = staff.user.id === user.id;
  const outranked = ROLE_RANK[user.role] >= ROLE_RANK[staff.role];
  const untouchable = self
    ? "This is your own account."
    : outranked
      ? "You can only act on accounts of a lower role than yours."
      : null;
  const hidden = { userId: user.id };
  const banned = user.status === "BANNED";
  const suspended = user.status === "SUSPENDED";

  return (
    <>
      <p className="crumbs">
        <Link href="/users">Users</Link> / {user.name}
      </p>
      <PageHeader
        title={user.name}
        lead={
          <>
            <span className="break">{user.email}</span> · <RoleTag role={user.role} />{" "}
            <StatusTag status={user.status} />
            {user.suspendedUntil ? <> until {fmtDateTime(user.suspendedUntil)}</> : null}
          </>
        }
      />

      <Section title="Actions" id="actions">
        {untouchable ? <p className="note">{untouchable}</p> : null}
        <div className="actions">
          <ConfirmAction
            action={suspendUserAction}
            label="Suspend"
            title={`Suspend ${user.name}?`}
            description="They are signed out on every device at once and cannot sign in or send until the suspension ends or is lifted."
            confirmLabel="Confirm suspension"
            hidden={hidden}
            disabled={!!untouchable || banned}
            disabledReason={untouchable ?? "Banned accounts cannot be suspended; unban first."}
            after={<NoteField />}
          >
            <label className="field">
              <span className="field__label">Duration</span>
              <select name="durationMinutes" defaultValue="1440">
                {DURATIONS.map((d) => (
                  <option key={d.label} value={d.value}>
                    {d.label}
                  </option>
                ))}
              </select>
            </label>
          </ConfirmAction>
          {isAdmin ? (
            <ConfirmAction
              action={banUserAction}
              label="Ban"
              variant="danger"
              title={`Ban ${user.name}?`}
              description="They are signed out on every device at once and refused everywhere until an admin unbans them."
              confirmLabel="Confirm ban"
              hidden={hidden}
              disabled={!!untouchable || banned}
              disabledReason={untouchable ?? "Already banned."}
              after={<NoteField />}
            />
          ) : null}
          <ConfirmAction
            action={liftSanctionAction}
            label={banned ? "Unban" : "Lift suspension"}
            title={banned ? `Unban ${user.name}?` : `Lift ${user.name}'s suspension?`}
            description="They can sign in again (sessions from before the sanction stay void)."
            confirmLabel={banned ? "Confirm unban" : "Confirm lift"}
            confirmVariant="primary"
            hidden={hidden}
            disabled={!!untouchable || !(banned || suspended) || (banned && !isAdmin)}
            disabledReason={
              untouchable ??
              (banned ? "Only admins can unban." : "The account is not suspended or banned.")
            }
          />
          <ConfirmAction
            action={forceLogoutAction}
            label="Force logout"
            title={`Sign ${user.name} out everywhere?`}
            description="Every session, token and socket of the account ends now; they can sign in again."
            confirmLabel="Confirm logout"
            hidden={hidden}
            disabled={!!untouchable}
            disabledReason={untouchable ?? undefined}
          />
          {isAdmin ? (
            <ConfirmAction
              action={changeRoleAction}
              label="Change role"
              title={`Change ${user.name}'s role?`}
              description="A demotion also ends their sessions, so no token keeps the old rights."
              confirmLabel="Confirm role change"
              confirmVariant="primary"
              hidden={hidden}
              disabled={!!untouchable}
              disabledReason={untouchable ?? undefined}
            >
              <label className="field">
                <span className="field__label">New role</span>
                <select name="role" defaultValue={user.role === "USER" ? "MODERATOR" : "USER"}>
                  <option value="USER">User</option>
                  <option value="MODERATOR">Moderator</option>
                </select>
              </label>
            </ConfirmAction>
          ) : null}
        </div>
        {!isAdmin ? (
          <p className="muted small">Banning, unbanning and role changes are for admins.</p>
        ) : null}
      </Section>

      <div className="grid2">
        <Section title="Profile" id="profile">
          <dl className="facts">
            <dt>User id</dt>
            <dd className="mono break">{user.id}</dd>
            <dt>Created</dt>
            <dd>{fmtDateTime(user.createdAt)}</dd>
            <dt>Last seen</dt>
            <dd>{fmtDateTime(user.lastSeenAt)}</dd>
            <dt>Sessions revoked</dt>
            <dd>{fmtDateTime(user.sessionsRevokedAt)}</dd>
            <dt>Two-factor</dt>
            <dd>{user.totpEnabled ? "on" : "off"}</dd>
            <dt>Reports about them</dt>
            <dd data-testid="reports-about">{detail.reportsAbout}</dd>
          </dl>
        </Section>
        <Section title="Sanctions" id="sanctions">
          {detail.sanctions.length === 0 ? (
            <Empty>None.</Empty>
          ) : (
            <ul className="list">
              {detail.sanctions.map((s) => (
                <li key={s.id}>
                  <Tag tone={s.kind === "BAN" ? "BANNED" : "SUSPENDED"}>{s.kind.toLowerCase()}</Tag>{" "}
                  {fmtDateTime(s.createdAt)}
                  {s.createdBy ? ` by ${s.createdBy}` : ""}
                  {s.expiresAt ? `, until ${fmtDateTime(s.expiresAt)}` : ""}
                  <div>“{s.reason}”</div>
                  {s.note ? <div className="muted small">Note: {s.note}</div> : null}
                  {s.liftedAt ? (
                    <div className="muted small">
                      Lifted {fmtDateTime(s.liftedAt)}
                      {s.liftReason ? `: ${s.liftReason}` : ""}
                    </div>
                  ) : (
                    <Tag tone="tag--warn">active</Tag>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>

      <Section title="Recent moderation history" id="history">
        <AuditList entries={detail.history} />
      </Section>

      <Section title={`Conversations (${detail.conversations.length})`} id="conversations">
        {detail.conversations.length === 0 ? (
          <Empty>Not a member of any conversation.</Empty>
        ) : (
          <Table label="Conversations">
            <thead>
              <tr>
                <th>Conversation</th>
                <th>Type</th>
                <th>Role</th>
                <th>Joined</th>
              </tr>
            </thead>
            <tbody>
              {detail.conversations.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link href={`/conversations/${c.id}`}>
                      {c.title ?? (c.type === "direct" ? "Direct message" : "Untitled group")}
                    </Link>
                    {c.deleted ? <Tag tone="tag--muted">deleted</Tag> : null}
                  </td>
                  <td>{c.type}</td>
                  <td>{c.role.toLowerCase()}</td>
                  <td className="nowrap">{fmtDateTime(c.joinedAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>

      <div className="grid2">
        <Section title="Devices" id="devices">
          {detail.devices.length === 0 ? (
            <Empty>No push devices.</Empty>
          ) : (
            <Table label="Devices">
              <thead>
                <tr>
                  <th>Platform</th>
                  <th>Registered</th>
                  <th>Last used</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {detail.devices.map((d) => (
                  <tr key={d.id}>
                    <td>{d.platform.toUpperCase()}</td>
                    <td className="nowrap">{fmtDateTime(d.createdAt)}</td>
                    <td className="nowrap">{fmtDateTime(d.lastUsedAt)}</td>
                    <td>{d.disabledAt ? `disabled ${fmtDateTime(d.disabledAt)}` : "active"}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Section>
        <Section title="API sessions" id="sessions">
          <p className="muted small">
            Refresh tokens of mobile and API clients. Browser sessions end with a forced logout.
          </p>
          {detail.sessions.length === 0 ? (
            <Empty>None.</Empty>
          ) : (
            <Table label="Sessions">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Expires</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {detail.sessions.map((s) => (
                  <tr key={s.id}>
                    <td className="nowrap">{fmtDateTime(s.createdAt)}</td>
                    <td className="nowrap">{fmtDateTime(s.expiresAt)}</td>
                    <td>{s.revokedAt ? `revoked ${fmtDateTime(s.revokedAt)}` : "live"}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Section>
      </div>
    </>
  );
}

function AuditList({ entries }: { entries: TAuditRow[] }) {
  if (entries.length === 0) return <Empty>No moderation actions on this account yet.</Empty>;
  return (
    <>
      <ul className="list">
        {entries.map((e) => (
          <li key={e.id} data-testid="history-entry">
            <strong>{ACTION_LABELS[e.action] ?? e.action}</strong>{" "}
            <span className="muted small">
              {fmtDateTime(e.at)} by {e.actorName ?? (e.actorId ? e.actorId : "the system")}
              {e.actorRole ? ` (${e.actorRole.toLowerCase()})` : ""}
            </span>
            {e.reason ? <div>“{e.reason}”</div> : null}
          </li>
        ))}
      </ul>
      <p className="small">
        <Link href={`/audit?targetType=user&targetId=${entries[0]!.targetId}`}>
          Full history in the audit log
        </Link>
      </p>
    </>
  );
}

function NoteField() {
  return (
    <label className="field field--wide">
      <span className="field__label">Internal note (optional, moderators only)</span>
      <textarea name="note" rows={2} maxLength={500} />
    </label>
  );
}
