// Small server-safe pieces every console page uses.
import Link from "next/link";
import type { ReactNode } from "react";
import { hrefWith } from "./format";

export function PageHeader({
  title,
  lead,
  children,
}: {
  title: string;
  lead?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="pagehead">
      <div>
        <h1 className="pagehead__title">{title}</h1>
        {lead ? <p className="pagehead__lead">{lead}</p> : null}
      </div>
      {children ? <div className="pagehead__actions">{children}</div> : null}
    </div>
  );
}

export function Section({
  title,
  children,
  aside,
  id,
}: {
  title: string;
  children: ReactNode;
  aside?: ReactNode;
  id?: string;
}) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className="panel" id={id} aria-labelledby={headingId}>
      <div className="panel__head">
        <h2 className="panel__title" id={headingId}>
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

const STATUS_CLASS: Record<string, string> = {
  ACTIVE: "tag--ok",
  SUSPENDED: "tag--warn",
  BANNED: "tag--bad",
  OPEN: "tag--warn",
  RESOLVED: "tag--ok",
  DISMISSED: "tag--muted",
};

export function Tag({ children, tone }: { children: ReactNode; tone?: string }) {
  return <span className={`tag ${tone ? (STATUS_CLASS[tone] ?? tone) : ""}`}>{children}</span>;
}

export function StatusTag({ status }: { status: string }) {
  return <Tag tone={status}>{status.toLowerCase()}</Tag>;
}

export function RoleTag({ role }: { role: string }) {
  return <span className={`tag tag--role tag--${role.toLowerCase()}`}>{role.toLowerCase()}</span>;
}

export function Table({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        {children}
      </table>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** "First page" / "Next page" links; the filters stay in the URL. */
/**
 * First/next page links of a cursor-paged list at `path`: `params` are the
 * page's query (its filters and the current `cursor`), `nextCursor` the list's.
 */
export function Pager({
  path,
  params,
  nextCursor,
}: {
  path: string;
  params: Partial<Record<string, string>>;
  nextCursor: string | null | undefined;
}) {
  const { cursor, ...filters } = params;
  if (!cursor && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {cursor ? (
        <Link className="rl-btn rl-btn--secondary" href={hrefWith(path, filters)}>
          First page
        </Link>
      ) : (
        <span />
      )}
      {nextCursor ? (
        <Link
          className="rl-btn rl-btn--secondary"
          href={hrefWith(path, { ...filters, cursor: nextCursor })}
          rel="next"
        >
          Next page
        </Link>
      ) : null}
    </nav>
  );
}

export function ErrorNote({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="note note--error" role="alert">
      {message}
    </p>
  );
}

/** A GET form of filters; its fields land in the URL, so pages can be shared and paged. */
export function FilterForm({
  action,
  children,
  more,
  resetHref,
  label,
}: {
  action: string;
  children: ReactNode;
  /** Filters behind a disclosure, after the buttons (keeps phones short). */
  more?: ReactNode;
  resetHref: string;
  label: string;
}) {
  return (
    <form className="filters" action={action} method="get" role="search" aria-label={label}>
      {children}
      <div className="filters__buttons">
        <button className="rl-btn rl-btn--primary" type="submit">
          Apply
        </button>
        <Link className="rl-btn rl-btn--ghost" href={resetHref}>
          Reset
        </Link>
      </div>
      {more}
    </form>
  );
}

/** A labelled control of a FilterForm. */
export function Field({
  label,
  children,
  wide,
}: {
  label: string;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <label className={`field${wide ? " field--wide" : ""}`}>
      <span className="field__label">{label}</span>
      {children}
    </label>
  );
}
