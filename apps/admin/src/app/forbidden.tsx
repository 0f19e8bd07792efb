// Rendered (with status 403) when requireStaff() refuses a signed-in account
// whose role is below what the page needs.
import { Brand, Button, Card } from "@relay/ui";
import { signOutAction } from "@/server/actions/account";

export const metadata = { title: "Moderators and admins only" };

export default function Forbidden() {
  return (
    <main className="page">
      <div className="page__inner">
        <Brand subtitle="Admin" />
        <Card title="Moderators and admins only">
          <p className="page__lead">
            You are signed in, but your account has no access to the moderation console. If you
            should have it, ask an admin to give your account the moderator role, then sign in
            again.
          </p>
          <form action={signOutAction} className="landing__actions">
            <Button type="submit">Sign out</Button>
          </form>
        </Card>
      </div>
    </main>
  );
}
