// The console's dependencies: the core stores (createStores) plus this app's
// env, the TOTP key and the live-ops collector (realtime nodes and the push
// queue), built once per server process on first use (never at import, so
// `next build` needs no stores). Kept on
// globalThis so dev-mode module reloads reuse the connections. The console
// reaches the stores only through core's use cases.
import {
  createNodeStatsCollector,
  createStores,
  listRealtimeNodes,
  pushQueueStats,
  type NodeStatsCollector,
  type Stores,
} from "@relay/core";
import { loadEnv, type TAdminEnv } from "../env";
import { getLogger } from "../logger";

export interface AdminDeps extends Stores {
  env: TAdminEnv;
  /** The key TOTP secrets are encrypted with (derived from AUTH_SECRET in core). */
  appSecret: string;
  /** Scrapes the realtime nodes (and reads the push queue) for /ops; keeps each node's previous scrape for rates. */
  ops: NodeStatsCollector;
}

export function createAdminDeps(env: TAdminEnv): AdminDeps {
  const stores = createStores(env, { logger: getLogger(), dbPoolMax: 5 });
  return {
    ...stores,
    env,
    appSecret: env.AUTH_SECRET,
    ops: createNodeStatsCollector({
      listNodes: () => listRealtimeNodes(stores),
      pushStats: () => pushQueueStats(stores),
    }),
  };
}

const holder = globalThis as typeof globalThis & { __relayAdminDeps?: AdminDeps };

/** The process-wide dependencies (created on first call). */
export function getDeps(): AdminDeps {
  holder.__relayAdminDeps ??= createAdminDeps(loadEnv());
  return holder.__relayAdminDeps;
}

/** Closes the process-wide dependencies, if any (tests, shutdown). */
export async function closeDeps(): Promise<void> {
  const deps = holder.__relayAdminDeps;
  holder.__relayAdminDeps = undefined;
  await deps?.close();
}
