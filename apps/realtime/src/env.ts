// The only place realtime reads process.env. A bad or missing variable stops
// the process with a message naming it (never its value).
import { z } from "zod";
import {
  ZLogEnvFields,
  ZStoreEnvFields,
  parseEnv,
  zPort,
  zSecret,
  zTrustedProxies,
  zUrl,
} from "@relay/shared/env";

/** A duration in milliseconds given as a string (100 ms … 1 h). */
const zMillis = z.coerce.number<string>().int().min(100).max(3_600_000);

const ZRealtimeEnvFields = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  REALTIME_PORT: zPort.default(4000),
  /**
   * Bind address of the public port; default every interface. Nodes behind a
   * local load balancer (`REALTIME_NODES` > 1 in `npm start`) listen on
   * 127.0.0.1 only, so clients reach them through nginx.
   */
  REALTIME_HOST: z.string().min(1).optional(),
  ...ZStoreEnvFields,
  ...ZLogEnvFields,
  JWT_SECRET: zSecret,
  WEB_URL: zUrl.default("http://localhost:3000"),
  /**
   * The internal port: /metrics and /healthz for Prometheus and the admin
   * console, never for clients. 0 = any free port (tests). Loopback unless
   * REALTIME_METRICS_HOST says otherwise (e.g. the node's private address).
   */
  REALTIME_METRICS_PORT: z.coerce.number<string>().int().min(0).max(65_535).default(9464),
  REALTIME_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /** Where the admin console reaches this node's internal port; default http://127.0.0.1:<its port>. */
  REALTIME_INTERNAL_URL: zUrl.optional(),
  /** Our load balancers (CIDRs): only their X-Forwarded-For names the client (per-IP handshake limit). */
  TRUSTED_PROXIES: zTrustedProxies,
  /**
   * The Socket.IO Redis adapter (docs/operations.md, "The Redis adapter"):
   * `classic` pub/sub (PUBLISH/PSUBSCRIBE) or `sharded` pub/sub (Redis ≥ 7,
   * SPUBLISH/SSUBSCRIBE, one shard channel per room). Every node of a
   * deployment must use the same one.
   */
  REALTIME_ADAPTER: z.enum(["classic", "sharded"]).default("classic"),
  /** Socket.IO handshakes per client IP per 10 s, across all nodes. */
  REALTIME_HANDSHAKE_LIMIT: z.coerce.number<string>().int().min(1).default(600),
  /** Names this node in logs and presence leases; defaults to hostname:port. */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, "letters, digits and . _ : - (at most 64)")
    .optional(),
  /**
   * Presence node lease (docs/presence.md): a node's users count as connected
   * while its lease lives. A SIGKILLed node's users go offline within
   * LEASE_TTL + REAP_INTERVAL (35 s with the defaults; the promise is 45 s).
   */
  PRESENCE_LEASE_TTL_MS: zMillis.default(30_000),
  PRESENCE_LEASE_REFRESH_MS: zMillis.default(10_000),
  PRESENCE_REAP_INTERVAL_MS: zMillis.default(5_000),
  /** At most one Postgres User.lastSeenAt write per user per this window. */
  PRESENCE_LAST_SEEN_WRITE_MS: zMillis.default(60_000),
  /** false: this node enqueues no push notifications (deployments without push; the benchmark's "push off"). */
  PUSH_ENABLED: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
});

export const ZRealtimeEnvSchema = ZRealtimeEnvFields.superRefine((e, ctx) => {
  if (e.PRESENCE_LEASE_REFRESH_MS * 2 > e.PRESENCE_LEASE_TTL_MS)
    ctx.addIssue({
      code: "custom",
      path: ["PRESENCE_LEASE_REFRESH_MS"],
      message:
        "must be at most half of PRESENCE_LEASE_TTL_MS (one missed renewal must not expire the lease)",
    });
});

export type TRealtimeEnv = z.infer<typeof ZRealtimeEnvSchema>;

export function loadRealtimeEnv(
  source: Record<string, string | undefined> = process.env,
): TRealtimeEnv {
  return parseEnv("realtime", ZRealtimeEnvSchema, source);
}
