// Dependency health: each store probed in parallel with a time limit. Used by
// the realtime node's GET /healthz and its relay_dependency_up gauge.
import type { CoreDeps } from "./deps";

export type TDependency = "postgres" | "redis" | "cassandra";
export interface TDependencyHealth {
  status: "up" | "down";
  latencyMs: number;
  error?: string;
}
export interface THealthReport {
  status: "ok" | "degraded";
  dependencies: Record<TDependency, TDependencyHealth>;
}

export const HEALTH_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function probe(fn: () => Promise<unknown>, timeoutMs: number): Promise<TDependencyHealth> {
  const t0 = performance.now();
  try {
    await withTimeout(fn(), timeoutMs);
    return { status: "up", latencyMs: round(performance.now() - t0) };
  } catch (err) {
    // Driver error names/messages only (no credentials are in them): e.g.
    // "NoHostAvailableError: All host(s) tried for query failed".
    const e = err instanceof Error ? `${err.name}: ${err.message.split("\n")[0]}` : "unknown error";
    return { status: "down", latencyMs: round(performance.now() - t0), error: e.slice(0, 200) };
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export async function checkHealth(
  deps: Pick<CoreDeps, "db" | "redis" | "messages">,
  timeoutMs = HEALTH_TIMEOUT_MS,
): Promise<THealthReport> {
  const [postgres, redis, cassandra] = await Promise.all([
    probe(() => deps.db.$queryRaw`SELECT 1`, timeoutMs),
    probe(() => deps.redis.ping(), timeoutMs),
    probe(() => deps.messages.ping(), timeoutMs),
  ]);
  const dependencies = { postgres, redis, cassandra };
  const allUp = Object.values(dependencies).every((d) => d.status === "up");
  return { status: allUp ? "ok" : "degraded", dependencies };
}
