// APNs through apns2 (HTTP/2, token-based auth: a .p8 key signs the JWT).
//
// apns2 talks through an undici Pool it creates for api(.sandbox).push.apple.com.
// We give it our own Pool (same settings) for two reasons:
// - Retry-After: apns2's ApnsError carries status and reason but not the
//   response headers, so the Pool notes each response's Retry-After per
//   request path (the device token) for the error handler to read;
// - the stand-in (tests): connections to Apple's host are dialled to the
//   stand-in instead, over TLS with its CA; the request (authority, path,
//   headers, JWT) is exactly what Apple would receive.
import { ApnsClient, ApnsError, Host, Notification } from "apns2";
import { buildConnector, Pool, type Dispatcher } from "undici";
import { buildApnsPush, PushPayloadError } from "../payload";
import { classifyApnsFailure, parseRetryAfter } from "../policy";
import {
  disabledProvider,
  PushSendError,
  type PushProvider,
  type TStandinEndpoint,
} from "./provider";

export interface ApnsConfig {
  teamId: string;
  keyId: string;
  /** The .p8 key's PEM text. */
  signingKey: string;
  /** The app's bundle id (apns-topic). */
  topic: string;
  /** api.push.apple.com (true) or the sandbox (false). */
  production: boolean;
  /** Tests and demos only. */
  standin?: TStandinEndpoint;
}

type LegacyHandler = Dispatcher.DispatchHandler & {
  onHeaders?: (
    status: number,
    headers: Buffer[] | string[],
    resume: () => void,
    text: string,
  ) => boolean;
};

/** A Pool that remembers the Retry-After of the latest answer per request path. */
class RetryAfterPool extends Pool {
  readonly retryAfter = new Map<string, string>();

  override dispatch(
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    const h = handler as LegacyHandler;
    const path = opts.path;
    const notes = this.retryAfter;
    if (typeof h.onHeaders !== "function") return super.dispatch(opts, handler);
    // A proxy, not a copy: undici's request handler keeps private state.
    const proxy = new Proxy(h, {
      get(target, prop, receiver) {
        if (prop === "onHeaders")
          return (status: number, raw: Buffer[] | string[], resume: () => void, text: string) => {
            for (let i = 0; i + 1 < raw.length; i += 2) {
              if (String(raw[i]).toLowerCase() === "retry-after")
                notes.set(path, String(raw[i + 1]));
            }
            return target.onHeaders!(status, raw, resume, text);
          };
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === "function"
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    return super.dispatch(opts, proxy);
  }
}

function poolFor(host: string, standin: TStandinEndpoint | undefined): RetryAfterPool {
  // apns2's own settings (lib/apns.js): HTTP/2, 32 connections, 100 streams each.
  const base = { connections: 32, pipelining: 1, allowH2: true, maxConcurrentStreams: 100 };
  if (!standin) return new RetryAfterPool(`https://${host}:443`, base);
  const connector = buildConnector({ allowH2: true, ca: standin.caPem });
  return new RetryAfterPool(`https://${host}:443`, {
    ...base,
    connect: (options, callback) =>
      connector(
        { ...options, hostname: standin.host, port: String(standin.port), servername: host },
        callback,
      ),
  });
}

export function createApnsProvider(config: ApnsConfig | null): PushProvider {
  if (!config) return disabledProvider("apns");
  const host = config.production ? Host.production : Host.development;
  const client = new ApnsClient({
    team: config.teamId,
    keyId: config.keyId,
    signingKey: config.signingKey,
    defaultTopic: config.topic,
    host,
    keepAlive: true,
  });
  const created = client.client;
  const pool = poolFor(host, config.standin);
  // apns2 exposes its Pool read-only; replace it before the first request.
  Object.defineProperty(client, "client", { value: pool });
  void created.destroy();

  return {
    platform: "apns",
    enabled: true,
    async send(content, token) {
      let push;
      try {
        push = buildApnsPush(content);
      } catch (err) {
        if (err instanceof PushPayloadError)
          throw new PushSendError(
            { disposition: "reject", reason: "apns:PayloadTooLarge" },
            { cause: err },
          );
        throw err;
      }
      const path = `/3/device/${encodeURIComponent(token)}`;
      pool.retryAfter.delete(path);
      try {
        await client.send(new Notification(token, push.options));
      } catch (err) {
        const retryAfterMs = parseRetryAfter(pool.retryAfter.get(path), Date.now());
        pool.retryAfter.delete(path);
        if (err instanceof ApnsError)
          throw new PushSendError(
            classifyApnsFailure({
              status: err.statusCode,
              reason: err.reason,
              ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
            }),
            { cause: err },
          );
        throw new PushSendError(classifyApnsFailure({}), { cause: err });
      }
    },
    async close() {
      await client.close().catch(() => undefined);
    },
  };
}
