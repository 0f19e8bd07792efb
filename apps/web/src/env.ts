// The only place the web app reads process.env (validated at start by instrumentation.ts).
import { z } from "zod";
import {
  ZFrontEnvFields,
  ZLogEnvFields,
  ZStoreEnvFields,
  parseEnv,
  zPort,
  zSecret,
  zUrl,
} from "@relay/shared/env";

export const ZWebEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  AUTH_SECRET: zSecret,
  JWT_SECRET: zSecret,
  WEB_URL: zUrl.default("http://localhost:3000"),
  REALTIME_PUBLIC_URL: zUrl.default("http://localhost:4000"),
  /** More origins the browser may connect to (comma-separated), e.g. realtime nodes reached directly. */
  CSP_CONNECT_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(zUrl))
    .default([]),
  // Postgres, Redis (membership cache, realtime notifications through the
  // Socket.IO adapter channels) and Cassandra (last messages).
  ...ZStoreEnvFields,
  ...ZLogEnvFields,
  // Where server.ts listens, and which peers are our proxies (client address, per-IP limits).
  PORT: zPort.default(3000),
  ...ZFrontEnvFields,
  // Per-IP limits of the unauthenticated auth routes: sign-ups per 10 minutes, sign-ins per minute.
  AUTH_SIGNUP_LIMIT: z.coerce.number<string>().int().min(1).default(10),
  AUTH_TOKEN_LIMIT: z.coerce.number<string>().int().min(1).default(30),
  // Lifetime of access tokens (REST, mobile, the browser's socket); sockets refresh before it ends.
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number<string>().int().min(5).max(86_400).default(900),
  // Optional OAuth sign-in: the GitHub button appears only when both are set.
  AUTH_GITHUB_ID: z.string().min(1).optional(),
  AUTH_GITHUB_SECRET: z.string().min(1).optional(),
});

export type TWebEnv = z.infer<typeof ZWebEnvSchema>;

let cached: TWebEnv | undefined;
export function loadEnv(): TWebEnv {
  cached ??= parseEnv("web", ZWebEnvSchema, process.env);
  return cached;
}
