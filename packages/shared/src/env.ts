/**
 * Environment validation for every app. Errors name each bad or missing
 * variable and never print a value (they are often secrets).
 * Empty strings count as unset, so `FOO=` in a .env file falls back to defaults.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { formatPath, describeIssue } from "./issues";

export type TEnvProblem = { name: string; problem: string };

export class EnvError extends Error {
  override readonly name = "EnvError";
  readonly app: string;
  /** Variable names and what is wrong with them; no values. */
  readonly problems: readonly TEnvProblem[];

  constructor(app: string, problems: readonly TEnvProblem[]) {
    const lines = problems.map((p) => `  - ${p.name}: ${p.problem}`);
    super(`[${app}] invalid environment:\n${lines.join("\n")}`);
    this.app = app;
    this.problems = problems;
  }
}

/** Parses only the schema's keys from `source` (e.g. process.env); throws EnvError listing every problem. */
export function parseEnv<S extends z.ZodObject>(
  app: string,
  schema: S,
  source: Record<string, string | undefined>,
): z.output<S> {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = source[key];
    picked[key] = value === "" ? undefined : value;
  }
  const result = schema.safeParse(picked, { reportInput: true });
  if (result.success) return result.data;

  const seen = new Set<string>();
  const problems: TEnvProblem[] = [];
  for (const issue of result.error.issues) {
    const name = formatPath(issue.path) || "(environment)";
    const top = issue.path[0];
    const missing = issue.path.length === 1 && typeof top === "string" && picked[top] === undefined;
    const problem = missing ? "required" : describeIssue(issue);
    const line = `${name}: ${problem}`;
    if (seen.has(line)) continue;
    seen.add(line);
    problems.push({ name, problem });
  }
  throw new EnvError(app, problems);
}

/** A TCP port given as a string. */
export const zPort = z.coerce.number<string>().int().min(1).max(65_535);

/** An absolute URL (any scheme: http, redis, postgres, …). */
export const zUrl = z.url();

/** A secret of at least 32 characters. */
export const zSecret = z.string().min(32);

/** A JSON-encoded value checked against `schema`. Parse errors never echo the input. */
export function zJson<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.issues.push({ code: "custom", message: "expected valid JSON", input: text });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/**
 * The variables naming Relay's stores, shared by every server app that uses
 * them (spread into an app's schema: `z.object({ ...ZStoreEnvFields, … })`).
 */
export const ZStoreEnvFields = {
  DATABASE_URL: zUrl,
  REDIS_URL: zUrl,
  /** Prefix for Relay's Redis keys and pub/sub channels (keeps environments apart). */
  REDIS_PREFIX: z.string().min(1).default("relay:"),
  CASSANDRA_CONTACT_POINTS: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, "comma-separated host:port list"),
  CASSANDRA_LOCAL_DC: z.string().min(1),
  CASSANDRA_KEYSPACE: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, "lower-case identifier"),
};

/** The store variables as parsed (what `createStores` in @relay/core takes). */
export type TStoreEnv = z.output<z.ZodObject<typeof ZStoreEnvFields>>;

/** One IPv4/IPv6 address or CIDR ("10.0.0.0/8", "::1/128"). */
export const zCidr = z.string().refine((item) => {
  const [addr = "", bits, extra] = item.split("/");
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}, "expected an IP address or CIDR");

/**
 * Our own proxies / load balancers (comma-separated CIDRs), whose
 * X-Forwarded-For is believed for the client address; empty: the TCP peer is
 * the client. Web, admin and realtime read it the same way.
 */
export const zTrustedProxies = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(zCidr));

/**
 * The HTTP front of a Next.js app (its server.ts): where it listens and which
 * peers are our own proxies, whose X-Forwarded-For is believed for the client
 * address (comma-separated CIDRs; empty: the socket's peer is the client).
 */
export const ZFrontEnvFields = {
  /** Default: every interface, IPv4 and IPv6. */
  HOST: z.string().min(1).optional(),
  TRUSTED_PROXIES: zTrustedProxies,
};

/** Logging, shared by every server app: level, and JSON lines or pino-pretty. */
export const ZLogEnvFields = {
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /** Default: "pretty" when NODE_ENV=development, else "json". */
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
};
