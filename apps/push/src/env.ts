// The only place the push worker reads process.env. A bad or missing
// variable stops the process with a message naming it (never its value).
import { z } from "zod";
import { ZLogEnvFields, ZStoreEnvFields, parseEnv, zPort } from "@relay/shared/env";

const int = (min: number, max: number) => z.coerce.number<string>().int().min(min).max(max);
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
/** `host:port` of a local stand-in. */
const zHostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "expected host:port");

const ZPushEnvFields = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  ...ZStoreEnvFields,
  ...ZLogEnvFields,
  /** /metrics and /healthz of this worker. */
  PUSH_METRICS_PORT: zPort.default(4100),
  /** Jobs one worker runs at once (each is mostly waiting on the network). */
  PUSH_CONCURRENCY: int(1, 512).default(32),
  /** Attempts of a failing push before it goes to the dead-letter queue. */
  PUSH_MAX_ATTEMPTS: int(1, 50).default(8),
  /** Exponential backoff between attempts: base · 2^(n−1) with jitter, at most max (Retry-After wins if longer). */
  PUSH_BACKOFF_BASE_MS: int(10, 600_000).default(1000),
  PUSH_BACKOFF_MAX_MS: int(10, 3_600_000).default(300_000),
  /** A member who is "away" (socket open, app idle) is pushed once away this long. */
  PUSH_AWAY_DELAY_S: int(0, 86_400).default(120),
  /** Per device and conversation: one push per window, later messages update it once at its end. */
  PUSH_COLLAPSE_WINDOW_MS: int(1, 600_000).default(5000),
  /** A crashed worker's jobs are taken over after this long (BullMQ lock). */
  PUSH_LOCK_MS: int(1000, 600_000).default(30_000),
  PUSH_STALLED_INTERVAL_MS: int(500, 600_000).default(30_000),
  /** Whether a mention reaches a member who muted the conversation (mentions are not built yet). */
  PUSH_MENTIONS_BYPASS_MUTE: bool.default(true),

  // FCM (firebase-admin, HTTP v1). Unset: FCM is disabled (logged; its pushes are dead-lettered).
  /** Path of the Firebase service-account JSON key. */
  PUSH_FCM_SERVICE_ACCOUNT: z.string().min(1).optional(),
  /** The Firebase project; default: the service account's. */
  PUSH_FCM_PROJECT_ID: z.string().min(1).optional(),

  // APNs (apns2, token auth). All four set, or none (APNs disabled).
  /** Path of the .p8 signing key from the Apple developer account. */
  PUSH_APNS_KEY_FILE: z.string().min(1).optional(),
  PUSH_APNS_KEY_ID: z.string().min(1).optional(),
  PUSH_APNS_TEAM_ID: z.string().min(1).optional(),
  /** The app's bundle id. */
  PUSH_APNS_TOPIC: z.string().min(1).optional(),
  /** true: api.push.apple.com; false: the sandbox (development builds). */
  PUSH_APNS_PRODUCTION: bool.default(false),

  // Local stand-ins (tests, `npm run push:standins`); refused when NODE_ENV=production.
  PUSH_FCM_STANDIN: zHostPort.optional(),
  PUSH_FCM_STANDIN_TOKEN: z.string().min(1).optional(),
  PUSH_APNS_STANDIN: zHostPort.optional(),
  PUSH_STANDIN_CA_FILE: z.string().min(1).optional(),
});

const APNS_VARS = [
  "PUSH_APNS_KEY_FILE",
  "PUSH_APNS_KEY_ID",
  "PUSH_APNS_TEAM_ID",
  "PUSH_APNS_TOPIC",
] as const;

export const ZPushEnvSchema = ZPushEnvFields.superRefine((e, ctx) => {
  const apnsSet = APNS_VARS.filter((k) => e[k] !== undefined);
  if (apnsSet.length > 0 && apnsSet.length < APNS_VARS.length)
    for (const k of APNS_VARS)
      if (e[k] === undefined)
        ctx.addIssue({ code: "custom", path: [k], message: `required with ${apnsSet.join(", ")}` });
  const standin = e.PUSH_FCM_STANDIN ?? e.PUSH_APNS_STANDIN;
  if (standin && e.NODE_ENV === "production")
    ctx.addIssue({
      code: "custom",
      path: [e.PUSH_FCM_STANDIN ? "PUSH_FCM_STANDIN" : "PUSH_APNS_STANDIN"],
      message: "stand-ins are for tests and demos, never production",
    });
  if (standin && !e.PUSH_STANDIN_CA_FILE)
    ctx.addIssue({
      code: "custom",
      path: ["PUSH_STANDIN_CA_FILE"],
      message: "required with a stand-in",
    });
  if (e.PUSH_FCM_STANDIN) {
    for (const k of ["PUSH_FCM_STANDIN_TOKEN", "PUSH_FCM_PROJECT_ID"] as const)
      if (!e[k])
        ctx.addIssue({ code: "custom", path: [k], message: "required with PUSH_FCM_STANDIN" });
  }
  if (e.PUSH_APNS_STANDIN && apnsSet.length === 0)
    ctx.addIssue({
      code: "custom",
      path: ["PUSH_APNS_KEY_FILE"],
      message: "required with PUSH_APNS_STANDIN",
    });
  if (e.PUSH_BACKOFF_MAX_MS < e.PUSH_BACKOFF_BASE_MS)
    ctx.addIssue({
      code: "custom",
      path: ["PUSH_BACKOFF_MAX_MS"],
      message: "must be at least PUSH_BACKOFF_BASE_MS",
    });
});

export type TPushEnv = z.infer<typeof ZPushEnvSchema>;

export function loadPushEnv(source: Record<string, string | undefined> = process.env): TPushEnv {
  return parseEnv("push", ZPushEnvSchema, source);
}
