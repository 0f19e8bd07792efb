export type TStatus = "online" | "away" | "offline";

const labels: Record<TStatus, string> = { online: "Online", away: "Away", offline: "Offline" };

/** A presence dot with an accessible label. */
export function StatusDot({ status }: { status: TStatus }) {
  return (
    <span
      className={`rl-dot rl-dot--${status}`}
      role="img"
      aria-label={labels[status]}
      title={labels[status]}
    />
  );
}
