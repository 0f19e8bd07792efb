"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/users", label: "Users" },
  { href: "/conversations", label: "Conversations" },
  { href: "/reports", label: "Reports" },
  { href: "/audit", label: "Audit" },
  { href: "/ops", label: "Live ops" },
];

export function NavLinks() {
  const path = usePathname();
  return (
    <nav className="topnav" aria-label="Console">
      {LINKS.map((l) => {
        const current = path === l.href || path.startsWith(`${l.href}/`);
        return (
          <Link
            key={l.href}
            href={l.href}
            className={`topnav__link${current ? " topnav__link--current" : ""}`}
            aria-current={current ? "page" : undefined}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
