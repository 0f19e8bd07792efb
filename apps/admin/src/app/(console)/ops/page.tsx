import { OpsDashboard } from "@/components/ops-dashboard";
import { PageHeader } from "@/components/ui";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "Live ops" };

export default async function OpsPage() {
  await requireStaff("MODERATOR");
  return (
    <>
      <PageHeader
        title="Live ops"
        lead="Every realtime node in the registry, scraped from its /metrics and /healthz, and the push queue."
      />
      <OpsDashboard />
    </>
  );
}
