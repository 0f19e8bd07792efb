import Link from "next/link";
import { Brand, Card } from "@relay/ui";

export default function NotFound() {
  return (
    <main className="page">
      <div className="page__inner">
        <Brand subtitle="Admin" />
        <Card title="Not found">
          <p className="page__lead">There is nothing at this address.</p>
          <p className="landing__actions">
            <Link className="rl-btn rl-btn--secondary" href="/users">
              Back to users
            </Link>
          </p>
        </Card>
      </div>
    </main>
  );
}
