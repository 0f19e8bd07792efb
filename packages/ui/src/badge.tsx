/** Unread counter; hidden when zero. */
export function Badge({ count, label }: { count: number; label?: string }) {
  if (count <= 0) return null;
  return (
    <span className="rl-badge" aria-label={label ?? `${count} unread`}>
      {count > 99 ? "99+" : count}
    </span>
  );
}
