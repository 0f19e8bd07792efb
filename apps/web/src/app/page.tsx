import { Brand, Card } from "@relay/ui";

export default function Home() {
  return (
    <main className="page">
      <div className="page__inner">
        <Brand />
        <p className="page__lead">
          Chat 1:1 and in groups, live on every device, with history, typing, receipts and presence.
        </p>
        <Card title="This build">
          <p className="page__lead">
            The foundation is running: stores provisioned and migrated, the realtime tier healthy. Sign-up and the chat
            client arrive with the web client release.
          </p>
        </Card>
      </div>
    </main>
  );
}
