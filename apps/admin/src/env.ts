// The only place the admin console reads process.env (validated at start by instrumentation.ts).
// Today the console serves its shell only; the stores, next-auth and TOTP
// variables arrive with the moderation features.
import { z } from "zod";
import { ZLogEnvFields, parseEnv } from "@relay/shared/env";

export const ZAdminEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  ...ZLogEnvFields,
});

export type TAdminEnv = z.infer<typeof ZAdminEnvSchema>;

let cached: TAdminEnv | undefined;
export function loadEnv(): TAdminEnv {
  cached ??= parseEnv("admin", ZAdminEnvSchema, process.env);
  return cached;
}
