import { StatusDot, type TStatus } from "./status-dot";

const palette = [
  "#4f46e5",
  "#0891b2",
  "#059669",
  "#d97706",
  "#dc2626",
  "#7c3aed",
  "#db2777",
  "#2563eb",
];

function colorOf(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return palette[h % palette.length] ?? "#4f46e5";
}

export function initialsOf(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? "?";
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase();
}

/** Initials on a stable colour, with an optional presence dot. */
export function Avatar({
  name,
  seed,
  status,
  size = 40,
}: {
  name: string;
  seed?: string;
  status?: TStatus;
  size?: number;
}) {
  return (
    <span
      className="rl-avatar"
      style={{
        width: size,
        height: size,
        background: colorOf(seed ?? name),
        fontSize: size * 0.38,
      }}
      aria-hidden={status ? undefined : true}
    >
      {initialsOf(name)}
      {status ? (
        <span className="rl-avatar__status">
          <StatusDot status={status} />
        </span>
      ) : null}
    </span>
  );
}
