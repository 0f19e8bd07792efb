import { Brand, Card } from "@relay/ui";

export default function AdminHome() {
  return (
    <main className="page">
      <div className="page__inner">
        <Brand subtitle="Admin" />
        <Card title="Moderation console">
          <p className="page__lead">
            Users, groups, reports, the audit log and live stats will appear here for
            administrators.
          </p>
        </Card>
      </div>
    </main>
  );
}
