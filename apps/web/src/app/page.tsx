import Link from "next/link";
import { redirect } from "next/navigation";
import { Brand } from "@relay/ui";
import { auth } from "../auth";

export const dynamic = "force-dynamic";

export default async function Home() {
  if (await auth()) redirect("/chat");
  return (
    <main className="page">
      <div className="page__inner">
        <Brand />
        <h1 className="landing__title">Chat that keeps up.</h1>
        <p className="page__lead">
          Relay is real-time chat for teams and friends: 1:1 and groups, live on every device, with
          history, typing, read receipts and presence.
        </p>
        <div className="landing__actions">
          <Link className="rl-btn rl-btn--primary" href="/signup">
            Create an account
          </Link>
          <Link className="rl-btn rl-btn--secondary" href="/signin">
            Sign in
          </Link>
        </div>
      </div>
    </main>
  );
}
