// The only place realtime reads process.env. A bad or missing variable stops
// the process with a message naming it (never its value).
import { parseEnv, zJson, zPort, zSecret, zUrl } from "@relay/shared/env";
import { z } from "zod";

export const ZRealtimeEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  REALTIME_PORT: zPort.default(4000),
  DATABASE_URL: zUrl,
  REDIS_URL: zUrl,
  REDIS_PREFIX: z.string().min(1).default("relay:"),
  CASSANDRA_CONTACT_POINTS: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, "comma-separated host:port list"),
  CASSANDRA_LOCAL_DC: z.string().min(1),
  CASSANDRA_KEYSPACE: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, "lower-case identifier"),
  CASSANDRA_REPLICATION: zJson(z.record(z.string(), z.union([z.string(), z.number()]))),
  JWT_SECRET: zSecret,
  WEB_URL: zUrl.default("http://localhost:3000"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type TRealtimeEnv = z.infer<typeof ZRealtimeEnvSchema>;

export function loadRealtimeEnv(
  source: Record<string, string | undefined> = process.env,
): TRealtimeEnv {
  return parseEnv("realtime", ZRealtimeEnvSchema, source);
}
