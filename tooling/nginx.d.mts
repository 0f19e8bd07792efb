// Types for nginx.mjs, so TypeScript tests (apps/realtime/test, e2e) can import it.
import type { ChildProcess } from "node:child_process";

/** pingInterval + pingTimeout of Relay's realtime nodes, in seconds. */
export const SOCKET_IO_SILENCE_S: number;

export class NginxMissingError extends Error {}

export function findNginx(env?: Record<string, string | undefined>): string | null;

export interface NginxOptions {
  /** Absolute runtime directory: nginx.conf, pid file, temp paths, access log. */
  dir: string;
  /** Where nginx listens; unset or 0: a free port. */
  port?: number;
  /** Bind address; unset: every interface. */
  host?: string;
  /** The realtime nodes, "host:port" or URLs. */
  upstreams: readonly string[];
  /** "replace" (default): X-Forwarded-For = the TCP peer; "append": $proxy_add_x_forwarded_for. */
  forwardedFor?: "replace" | "append";
  workerProcesses?: number | "auto";
  workerConnections?: number;
  /** proxy_read_timeout / proxy_send_timeout in seconds; must exceed SOCKET_IO_SILENCE_S. Default 75. */
  readTimeoutS?: number;
  /** worker_shutdown_timeout in seconds (reload, graceful stop). Default 5. */
  shutdownTimeoutS?: number;
  accessLog?: boolean;
  /** Every line nginx writes (its error log, at notice and up). */
  onLog?: (line: string, level: string) => void;
  env?: Record<string, string | undefined>;
}

export interface NginxProcess {
  /** http://<host>:<port> (127.0.0.1 when listening on every interface). */
  url: string;
  port: number;
  pid: number | undefined;
  child: ChildProcess;
  configFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything nginx wrote so far (for failure messages). */
  output(): string;
  /** Graceful reload (SIGHUP), optionally with other upstreams; resolves once new workers run. */
  reload(upstreams?: readonly string[]): Promise<void>;
  /** "graceful" (SIGQUIT, default) or "fast" (SIGTERM); resolves when nginx has exited. */
  stop(mode?: "graceful" | "fast"): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function renderNginxConfig(
  opts: Omit<NginxOptions, "onLog" | "env"> & { port: number },
): string;

export function startNginx(opts: NginxOptions): Promise<NginxProcess>;
