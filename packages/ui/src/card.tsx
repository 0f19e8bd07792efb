import type { ReactNode } from "react";

export function Card({ title, children }: { title?: string; children: ReactNode }) {
  return (
    <section className="rl-card">
      {title ? <h2 className="rl-card__title">{title}</h2> : null}
      {children}
    </section>
  );
}
