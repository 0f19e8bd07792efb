// The only place the web app reads process.env (validated at start by instrumentation.ts).
import { parseEnv, zSecret, zUrl } from "@relay/shared/env";
import { z } from "zod";

export const ZWebEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: zUrl,
  AUTH_SECRET: zSecret,
  JWT_SECRET: zSecret,
  WEB_URL: zUrl.default("http://localhost:3000"),
  REALTIME_PUBLIC_URL: zUrl.default("http://localhost:4000"),
});

export type TWebEnv = z.infer<typeof ZWebEnvSchema>;

let cached: TWebEnv | undefined;
export function loadEnv(): TWebEnv {
  cached ??= parseEnv("web", ZWebEnvSchema, process.env);
  return cached;
}
