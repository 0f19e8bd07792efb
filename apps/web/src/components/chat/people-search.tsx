"use client";

import { useEffect, useState } from "react";
import type { TUserPublic } from "@relay/shared/schemas";
import { Avatar, FormError } from "@relay/ui";
import { rest } from "@/client/rest";

/** Search people by name or email; calls onPick for a chosen person. */
export function PeopleSearch({
  onPick,
  selectedIds = [],
  exclude = [],
}: {
  onPick: (u: TUserPublic) => void;
  selectedIds?: string[];
  exclude?: string[];
}) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<TUserPublic[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults([]);
      return;
    }
    let cancelled = false;
    const t = setTimeout(() => {
      rest.searchUsers(q).then(
        (users) => {
          if (cancelled) return;
          setResults(users.filter((u) => !exclude.includes(u.id)));
          setError(null);
        },
        (err: unknown) =>
          !cancelled && setError(err instanceof Error ? err.message : "search failed"),
      );
    }, 200);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [query, exclude]);

  return (
    <div className="people">
      <label className="rl-field__label" htmlFor="people-search">
        Find people
      </label>
      <input
        id="people-search"
        className="rl-field__input"
        type="search"
        autoFocus
        placeholder="Name or email"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <FormError message={error} />
      <ul className="people__list" role="list" aria-label="People">
        {results.map((u) => (
          <li key={u.id}>
            <button
              type="button"
              className="people__item"
              onClick={() => onPick(u)}
              aria-pressed={selectedIds.includes(u.id)}
              data-testid="person"
            >
              <Avatar name={u.name} seed={u.id} size={32} />
              <span>{u.name}</span>
              {selectedIds.includes(u.id) ? (
                <span className="people__check" aria-hidden="true">
                  ✓
                </span>
              ) : null}
            </button>
          </li>
        ))}
        {query.trim() && results.length === 0 && !error ? (
          <li className="people__none">Nobody found.</li>
        ) : null}
      </ul>
    </div>
  );
}
