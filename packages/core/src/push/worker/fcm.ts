// FCM through firebase-admin (HTTP v1 `messages:send`, one request per push).
//
// - Credentials: a service-account JSON file (PUSH_FCM_SERVICE_ACCOUNT), whose
//   project is the FCM project unless PUSH_FCM_PROJECT_ID says otherwise.
// - Stand-in (tests): firebase-admin's FCM host is fixed, so the app's
//   `httpAgent` dials the stand-in for every host, over TLS with its CA, and a
//   test credential returns a fixed access token (no Google OAuth call).
//   `enableLegacyHttpTransport()` keeps any batch send on that agent too (the
//   HTTP/2 path ignores `httpAgent`).
// - Retries are the queue's job (counted, honouring Retry-After, never
//   holding a worker slot while waiting): firebase-admin's own HTTP client
//   would retry a 503 up to 4 times in-process, so its retry config is
//   switched off (see `disableLibraryRetries`).
import { Agent } from "node:https";
import type { Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { cert, deleteApp, initializeApp, type App, type Credential } from "firebase-admin/app";
import { getMessaging, type Messaging } from "firebase-admin/messaging";
import type { Logger } from "../../logger";
import { buildFcmMessage, PushPayloadError } from "../payload";
import { classifyFcmFailure, parseRetryAfter, type TFcmFailureFacts } from "../policy";
import {
  disabledProvider,
  PushSendError,
  type PushProvider,
  type TStandinEndpoint,
} from "./provider";

export interface FcmConfig {
  /** Path of the service-account JSON (production). */
  serviceAccountPath?: string;
  /** The FCM project; defaults to the service account's. Required with a stand-in. */
  projectId?: string;
  /** Tests and demos: the stand-in and the access token it expects. */
  standin?: TStandinEndpoint & { accessToken: string };
}

/** An https.Agent whose every connection goes to the stand-in, keeping the real host as TLS servername. */
class StandinAgent extends Agent {
  constructor(private readonly endpoint: TStandinEndpoint) {
    super({ keepAlive: true, maxSockets: 64, ca: endpoint.caPem });
  }
  // Returning the socket is enough: http.Agent uses a synchronously returned socket.
  override createConnection(options: ConnectionOptions & { host?: string }): Socket {
    return tlsConnect({
      ...options,
      host: this.endpoint.host,
      port: this.endpoint.port,
      servername: options.servername ?? options.host ?? "fcm.googleapis.com",
      ca: this.endpoint.caPem,
    });
  }
}

function testCredential(accessToken: string): Credential {
  return {
    getAccessToken: () => Promise.resolve({ access_token: accessToken, expires_in: 3600 }),
  };
}

/**
 * firebase-admin's HTTP client retries 503s by itself (`retry` on its
 * internal client). Switch that off so the queue's policy is the only one;
 * if a future version moves the field, log it and keep going (double retries
 * are slower, not wrong).
 */
function disableLibraryRetries(messaging: Messaging, logger: Logger): void {
  const handler = (messaging as unknown as { messagingRequestHandler?: unknown })
    .messagingRequestHandler as { httpClient?: { retry?: unknown } } | undefined;
  if (handler?.httpClient && "retry" in handler.httpClient) handler.httpClient.retry = undefined;
  else logger.warn("firebase-admin internals changed: its own HTTP retries stay on");
}

/** The facts of a firebase-admin error (FirebaseMessagingError, or anything thrown on the way). */
export function fcmFailureFacts(err: unknown, nowMs = Date.now()): TFcmFailureFacts {
  const e = err as {
    code?: unknown;
    httpResponse?: { status?: unknown; headers?: Record<string, unknown>; data?: unknown };
  };
  const facts: TFcmFailureFacts = {};
  if (typeof e?.code === "string") facts.clientCode = e.code;
  const res = e?.httpResponse;
  if (res && typeof res.status === "number") {
    facts.status = res.status;
    const data = res.data as
      | {
          error?: { status?: unknown; details?: Array<{ "@type"?: unknown; errorCode?: unknown }> };
        }
      | undefined;
    const detail = data?.error?.details?.find(
      (d) => typeof d["@type"] === "string" && d["@type"].endsWith("FcmError"),
    );
    if (typeof detail?.errorCode === "string") facts.serverCode = detail.errorCode;
    else if (typeof data?.error?.status === "string") facts.serverCode = data.error.status;
    const retryAfter = res.headers?.["retry-after"];
    const ms = parseRetryAfter(typeof retryAfter === "string" ? retryAfter : undefined, nowMs);
    if (ms !== undefined) facts.retryAfterMs = ms;
  }
  return facts;
}

let appSeq = 0;

export function createFcmProvider(config: FcmConfig | null, logger: Logger): PushProvider {
  if (!config || (!config.serviceAccountPath && !config.standin)) return disabledProvider("fcm");
  const credential = config.standin
    ? testCredential(config.standin.accessToken)
    : cert(config.serviceAccountPath!);
  const agent = config.standin ? new StandinAgent(config.standin) : undefined;
  // A named app per provider instance, so several workers in one process (tests) never share one.
  const app: App = initializeApp(
    {
      credential,
      ...(config.projectId ? { projectId: config.projectId } : {}),
      ...(agent ? { httpAgent: agent } : {}),
    },
    `relay-push-${process.pid}-${++appSeq}`,
  );
  const messaging = getMessaging(app);
  messaging.enableLegacyHttpTransport();
  disableLibraryRetries(messaging, logger);

  return {
    platform: "fcm",
    enabled: true,
    async send(content, token) {
      let message;
      try {
        message = buildFcmMessage(content, token);
      } catch (err) {
        if (err instanceof PushPayloadError)
          throw new PushSendError(
            { disposition: "reject", reason: "fcm:payload_too_large" },
            { cause: err },
          );
        throw err;
      }
      try {
        await messaging.send(message);
      } catch (err) {
        throw new PushSendError(classifyFcmFailure(fcmFailureFacts(err)), { cause: err });
      }
    },
    async close() {
      await deleteApp(app).catch(() => undefined);
      agent?.destroy();
    },
  };
}
