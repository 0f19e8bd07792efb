// What the worker sends through: one provider per platform (FCM, APNs).
import type { TPushContent } from "../payload";
import type { TSendFailure } from "../policy";

export type TPushPlatform = "fcm" | "apns";

export interface PushProvider {
  readonly platform: TPushPlatform;
  /**
   * false when no credentials are configured: the worker logs that once at
   * start and dead-letters this platform's pushes (replayable once configured)
   * instead of dropping them.
   */
  readonly enabled: boolean;
  /** Hands one push to the provider; rejects with a PushSendError saying what the answer means. */
  send(content: TPushContent, token: string): Promise<void>;
  close(): Promise<void>;
}

/** A provider's refusal or failure, already classified (policy.ts). */
export class PushSendError extends Error {
  override readonly name = "PushSendError";
  constructor(
    readonly failure: TSendFailure,
    options?: { cause?: unknown },
  ) {
    super(`push not sent: ${failure.reason} (${failure.disposition})`, options);
  }
}

/** A provider with no credentials (see `enabled`). */
export function disabledProvider(platform: TPushPlatform): PushProvider {
  return {
    platform,
    enabled: false,
    send: () =>
      Promise.reject(
        new PushSendError({ disposition: "retry", reason: `${platform}:not_configured` }),
      ),
    close: () => Promise.resolve(),
  };
}

/**
 * Where a stand-in provider listens (tests and `npm run push:standins`):
 * connections meant for the provider's host are dialled here instead, over
 * TLS with the stand-in's test CA, so the real client library and the real
 * request path are exercised. Never set in production.
 */
export interface TStandinEndpoint {
  host: string;
  port: number;
  /** PEM of the CA that signed the stand-in's certificate. */
  caPem: string;
}
