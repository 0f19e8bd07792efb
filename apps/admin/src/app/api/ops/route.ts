// Live ops as JSON for /ops (polled every 2 s): every live realtime node,
// scraped server-side (the nodes' URLs are internal), with rates between
// scrapes, and the push queue (totals.push: depth, failures, dead letters,
// the oldest waiting job's age).
import { json, staffRoute } from "@/server/route";

export const dynamic = "force-dynamic";

export const GET = staffRoute("MODERATOR", async ({ deps }) => json(await deps.ops.collect()));
