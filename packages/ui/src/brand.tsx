export function Brand({ subtitle }: { subtitle?: string }) {
  return (
    <div className="rl-brand">
      <svg className="rl-brand__mark" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" />
        <path d="M9 11h14M9 16h10M9 21h6" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      <span className="rl-brand__name">Relay</span>
      {subtitle ? <span className="rl-brand__subtitle">{subtitle}</span> : null}
    </div>
  );
}
