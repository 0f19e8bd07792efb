import Link from "next/link";
import { listUsers, type TAdminUserRow } from "@relay/core";
import { parsePayload } from "@relay/shared/protocol";
import { ZAdminUserQuerySchema } from "@relay/shared/schemas";
import { fmtDate, fmtDateTime } from "@/components/format";
import {
  Empty,
  ErrorNote,
  Field,
  FilterForm,
  PageHeader,
  Pager,
  RoleTag,
  StatusTag,
  Table,
} from "@/components/ui";
import { getDeps } from "@/server/deps";
import { pick, USER_FILTER_KEYS, userFilterInput, type TSearchParams } from "@/server/filters";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "Users" };

const PAGE_SIZE = 50;

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<TSearchParams>;
}) {
  const staff = await requireStaff("MODERATOR");
  const params = await searchParams;
  const raw = pick(params, USER_FILTER_KEYS);
  const query = parsePayload(ZAdminUserQuerySchema, userFilterInput(params));
  let users: TAdminUserRow[] = [];
  let nextCursor: string | null = null;
  if (query.ok) {
    ({ users, nextCursor } = await listUsers(getDeps(), staff.ctx, {
      ...query.data,
      limit: PAGE_SIZE,
    }));
  }
  return (
    <>
      <PageHeader title="Users" lead="Search by name or email and filter; newest accounts first." />
      <FilterForm
        more={
          <details
            className="filters__more"
            open={!!(raw.createdFrom || raw.createdTo || raw.lastSeenFrom || raw.lastSeenTo)}
          >
            <summary>Dates (created, last seen)</summary>
            <div className="filters__more-fields">
              <Field label="Created from">
                <input name="createdFrom" type="date" defaultValue={raw.createdFrom} />
              </Field>
              <Field label="Created to">
                <input name="createdTo" type="date" defaultValue={raw.createdTo} />
              </Field>
              <Field label="Last seen from">
                <input name="lastSeenFrom" type="date" defaultValue={raw.lastSeenFrom} />
              </Field>
              <Field label="Last seen to">
                <input name="lastSeenTo" type="date" defaultValue={raw.lastSeenTo} />
              </Field>
            </div>
          </details>
        }
        action="/users"
        resetHref="/users"
        label="Filter users"
      >
        <Field label="Name or email" wide>
          <input name="query" type="search" defaultValue={raw.query} placeholder="alice@…" />
        </Field>
        <Field label="Role">
          <select name="role" defaultValue={raw.role ?? ""}>
            <option value="">Any</option>
            <option value="USER">User</option>
            <option value="MODERATOR">Moderator</option>
            <option value="ADMIN">Admin</option>
          </select>
        </Field>
        <Field label="Status">
          <select name="status" defaultValue={raw.status ?? ""}>
            <option value="">Any</option>
            <option value="ACTIVE">Active</option>
            <option value="SUSPENDED">Suspended</option>
            <option value="BANNED">Banned</option>
          </select>
        </Field>
      </FilterForm>
      {!query.ok ? (
        <ErrorNote message={`These filters are not valid: ${query.error.message}`} />
      ) : users.length === 0 ? (
        <Empty>No users match these filters.</Empty>
      ) : (
        <Table label="Users">
          <thead>
            <tr>
              <th>Name</th>
              <th className="hide-phone">Email</th>
              <th>Role</th>
              <th>Status</th>
              <th>Created</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid="user-row">
                <td>
                  <Link href={`/users/${u.id}`} className="strong">
                    {u.name}
                  </Link>
                  <div className="show-phone muted small">{u.email}</div>
                </td>
                <td className="hide-phone">{u.email}</td>
                <td>
                  <RoleTag role={u.role} />
                </td>
                <td>
                  <StatusTag status={u.status} />
                  {u.suspendedUntil ? (
                    <div className="muted small">until {fmtDateTime(u.suspendedUntil)}</div>
                  ) : null}
                </td>
                <td className="nowrap">{fmtDate(u.createdAt)}</td>
                <td className="nowrap">{fmtDateTime(u.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager path="/users" params={raw} nextCursor={nextCursor} />
    </>
  );
}
