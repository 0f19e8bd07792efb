// A local APNs provider API: HTTP/2 over TLS, `POST /3/device/<token>`, as
// apns2 calls it. It checks what Apple checks (a valid ES256 provider JWT
// from the configured team and key, the topic, a hex device token, the 4 KiB
// payload limit), records the request and answers success (with an apns-id)
// or the scripted error with Apple's body (`{reason}`, plus `timestamp` for 410).
import { createPublicKey, randomUUID, verify, type KeyObject } from "node:crypto";
import {
  constants,
  createSecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import type { TestPki } from "./pki";
import { Recorder, type TScriptedAnswer } from "./recorder";
import { CONTROL_PREFIX, controlAnswer, listen, nextAnswer, plainHeaders } from "./server";

export interface ApnsStandin {
  recorder: Recorder;
  port: number;
  teamId: string;
  keyId: string;
  topic: string;
  failNext(answer: TScriptedAnswer): void;
  close(): Promise<void>;
}

export interface ApnsStandinOptions {
  pki: TestPki;
  port?: number;
  host?: string;
  teamId?: string;
  keyId?: string;
  topic?: string;
  logFile?: string;
}

const b64url = (s: string) => Buffer.from(s, "base64url");

/** Verifies an APNs provider token (ES256 JWT): signature, kid, iss, and an iat within the hour. */
export function verifyProviderToken(
  jwt: string,
  key: KeyObject,
  expect: { teamId: string; keyId: string },
  nowMs = Date.now(),
): boolean {
  const parts = jwt.split(".");
  if (parts.length !== 3) return false;
  const [h, p, sig] = parts as [string, string, string];
  try {
    const header = JSON.parse(b64url(h).toString("utf8")) as { alg?: string; kid?: string };
    const payload = JSON.parse(b64url(p).toString("utf8")) as { iss?: string; iat?: number };
    if (header.alg !== "ES256" || header.kid !== expect.keyId || payload.iss !== expect.teamId)
      return false;
    if (typeof payload.iat !== "number" || Math.abs(nowMs / 1000 - payload.iat) > 3600)
      return false;
    return verify(
      "sha256",
      Buffer.from(`${h}.${p}`),
      { key, dsaEncoding: "ieee-p1363" },
      b64url(sig),
    );
  } catch {
    return false;
  }
}

export async function startApnsStandin(opts: ApnsStandinOptions): Promise<ApnsStandin> {
  const teamId = opts.teamId ?? "STANDINTM1";
  const keyId = opts.keyId ?? "STANDINKY1";
  const topic = opts.topic ?? "app.relay.standin";
  const publicKey = createPublicKey(opts.pki.apnsPublicKeyPem);
  const recorder = new Recorder("apns", opts.logFile);

  function respond(
    stream: ServerHttp2Stream,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    stream.respond({ ":status": status, "content-type": "application/json", ...headers });
    stream.end(body === undefined ? undefined : JSON.stringify(body));
  }

  function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, raw: string) {
    const path = String(headers[constants.HTTP2_HEADER_PATH] ?? "");
    const method = String(headers[constants.HTTP2_HEADER_METHOD] ?? "");
    if (path.startsWith(CONTROL_PREFIX)) {
      const { status, body } = controlAnswer(recorder, method, path, raw);
      return respond(stream, status, body);
    }
    const m = /^\/3\/device\/([^/?]+)$/.exec(path);
    if (method !== "POST" || !m) return respond(stream, 404, { reason: "BadPath" });
    const token = decodeURIComponent(m[1]!);
    const plain = plainHeaders(headers);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      /* answered below as PayloadEmpty / BadPayload */
    }
    const answer = (status: number, reason?: string, extra: Record<string, string> = {}) => {
      recorder.record({ token, headers: plain, body, status, ...(reason ? { reason } : {}) });
      if (status === 200)
        return respond(stream, 200, undefined, { "apns-id": plain["apns-id"] ?? randomUUID() });
      const errBody: Record<string, unknown> = { reason };
      if (status === 410) errBody.timestamp = Date.now();
      return respond(stream, status, errBody, extra);
    };
    const auth = plain.authorization ?? "";
    if (
      !auth.startsWith("bearer ") ||
      !verifyProviderToken(auth.slice(7), publicKey, { teamId, keyId })
    )
      return answer(403, "InvalidProviderToken");
    if (!plain["apns-topic"]) return answer(400, "MissingTopic");
    if (plain["apns-topic"] !== topic) return answer(400, "DeviceTokenNotForTopic");
    if (!/^[0-9a-f]{64}$/i.test(token)) return answer(400, "BadDeviceToken");
    if (!raw) return answer(400, "PayloadEmpty");
    if (Buffer.byteLength(raw) > 4096) return answer(413, "PayloadTooLarge");
    const next = nextAnswer(recorder, token);
    return answer(next.status, next.reason, next.headers);
  }

  const server = createSecureServer({ key: opts.pki.keyPem, cert: opts.pki.certPem });
  server.on("stream", (stream, headers) => {
    let raw = "";
    stream.setEncoding("utf8");
    stream.on("data", (c: string) => (raw += c));
    stream.on("end", () => {
      try {
        handle(stream, headers, raw);
      } catch {
        if (!stream.headersSent) respond(stream, 500, { reason: "InternalServerError" });
      }
    });
    stream.on("error", () => undefined);
  });
  const { port, close } = await listen(server, opts);
  return { recorder, port, teamId, keyId, topic, failNext: (a) => recorder.failNext(a), close };
}
