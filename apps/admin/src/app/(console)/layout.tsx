import Link from "next/link";
import type { ReactNode } from "react";
import { Brand, Button } from "@relay/ui";
import { FlashProvider } from "@/components/flash";
import { NavLinks } from "@/components/nav-links";
import { RoleTag } from "@/components/ui";
import { loadEnv } from "@/env";
import { signOutAction } from "@/server/actions/account";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const staff = await requireStaff("MODERATOR", { allowEnrollment: true });
  return (
    <FlashProvider>
      <div className="console">
        <header className="topbar">
          <Link href="/users" className="topbar__brand" aria-label="Relay moderation console">
            <Brand subtitle="Moderation" />
          </Link>
          <NavLinks />
          <div className="topbar__me">
            <a
              href={loadEnv().WEB_URL}
              className="topbar__web small"
              target="_blank"
              rel="noreferrer"
            >
              Web client ↗
            </a>
            <Link href="/account/2fa" className="me" title="Your account and two-factor sign-in">
              <span className="me__name" data-testid="staff-name">
                {staff.user.name}
              </span>
              <RoleTag role={staff.role} />
            </Link>
            <form action={signOutAction}>
              <Button type="submit" variant="secondary">
                Sign out
              </Button>
            </form>
          </div>
        </header>
        <main className="console__main">{children}</main>
      </div>
    </FlashProvider>
  );
}
