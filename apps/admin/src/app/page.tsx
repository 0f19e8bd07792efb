import Link from "next/link";
import { redirect } from "next/navigation";
import { Brand, Card } from "@relay/ui";
import { currentStaff } from "@/server/staff";

export const dynamic = "force-dynamic";

export default async function AdminHome() {
  if ((await currentStaff()).kind === "ok") redirect("/users");
  return (
    <main className="page">
      <div className="page__inner">
        <Brand subtitle="Admin" />
        <Card title="Moderation console">
          <p className="page__lead">
            For Relay&apos;s moderators and admins: find and act on accounts, review groups and
            conversations, work the report queue, read the audit log and watch the realtime nodes
            live.
          </p>
          <p className="landing__actions">
            <Link className="rl-btn rl-btn--primary" href="/signin">
              Sign in
            </Link>
          </p>
        </Card>
      </div>
    </main>
  );
}
