// The only place the admin console reads process.env (validated at start by instrumentation.ts).
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

/** "true" / "false" (any case); anything else is refused, naming the variable. */
const zBooleanFlag = z
  .enum(["true", "false", "TRUE", "FALSE", "True", "False"])
  .transform((v) => v.toLowerCase() === "true");

export const ZAdminEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  // Postgres (users, moderation, audit), Redis (the event port reaching every
  // realtime node, deny-list, node registry) and Cassandra (message history).
  ...ZStoreEnvFields,
  ...ZLogEnvFields,
  // Where server.ts listens, and which peers are our proxies (client address, per-IP limits).
  PORT: zPort.default(3001),
  ...ZFrontEnvFields,
  /** Signs the console's next-auth session cookies; also keys the TOTP secrets' encryption. */
  AUTH_SECRET: zSecret,
  /** When true, an ADMIN must enrol an authenticator app before using the console. */
  ADMIN_REQUIRE_2FA: zBooleanFlag.default(false),
  /** The web client, for links from the console. */
  WEB_URL: zUrl.default("http://localhost:3000"),
});

export type TAdminEnv = z.infer<typeof ZAdminEnvSchema>;

let cached: TAdminEnv | undefined;
export function loadEnv(): TAdminEnv {
  cached ??= parseEnv("admin", ZAdminEnvSchema, process.env);
  return cached;
}
