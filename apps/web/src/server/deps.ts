// The REST API's dependencies: the core stores (createStores) plus this app's
// env and token service, built once per server process on first use (never
// at import, so `next build` needs no stores). Kept on globalThis so dev-mode
// module reloads reuse the connections.
import {
  createLogger,
  createStores,
  createTokenService,
  logFormatFor,
  type Stores,
  type TokenService,
} from "@relay/core";
import { loadEnv, type TWebEnv } from "../env";

export interface WebDeps extends Stores {
  env: TWebEnv;
  tokens: TokenService;
}

export function createWebDeps(env: TWebEnv): WebDeps {
  const logger = createLogger({ app: "web", level: env.LOG_LEVEL, format: logFormatFor(env) });
  const stores = createStores(env, {
    logger,
    rateLimits: {
      signUp: { points: env.AUTH_SIGNUP_LIMIT },
      signIn: { points: env.AUTH_TOKEN_LIMIT },
    },
  });
  return {
    ...stores,
    env,
    tokens: createTokenService({
      jwtSecret: env.JWT_SECRET,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    }),
  };
}

const holder = globalThis as typeof globalThis & { __relayWebDeps?: WebDeps };

/** The process-wide dependencies (created on first call). */
export function getDeps(): WebDeps {
  holder.__relayWebDeps ??= createWebDeps(loadEnv());
  return holder.__relayWebDeps;
}

/** Closes the process-wide dependencies, if any (tests, shutdown). */
export async function closeDeps(): Promise<void> {
  const deps = holder.__relayWebDeps;
  holder.__relayWebDeps = undefined;
  await deps?.close();
}
