// The only place the admin console reads process.env (validated at start by instrumentation.ts).
import { parseEnv, zSecret, zUrl } from "@relay/shared/env";
import { z } from "zod";

export const ZAdminEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: zUrl,
  AUTH_SECRET: zSecret,
  REALTIME_PUBLIC_URL: zUrl.default("http://localhost:4000"),
});

export type TAdminEnv = z.infer<typeof ZAdminEnvSchema>;

let cached: TAdminEnv | undefined;
export function loadEnv(): TAdminEnv {
  cached ??= parseEnv("admin", ZAdminEnvSchema, process.env);
  return cached;
}
