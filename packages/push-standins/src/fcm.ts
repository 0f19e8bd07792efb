// A local FCM HTTP v1 endpoint: `POST /v1/projects/<id>/messages:send`, as
// firebase-admin's `messaging.send()` calls it (HTTPS; HTTP/1.1 or HTTP/2).
// It checks what Google checks first (the bearer token, the project, the
// 4 KiB payload limit), records the request and answers success or the
// scripted error with FCM's error body (`details[].errorCode`).
import { randomUUID } from "node:crypto";
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { TestPki } from "./pki";
import { Recorder, type TScriptedAnswer } from "./recorder";
import { CONTROL_PREFIX, controlAnswer, listen, nextAnswer, plainHeaders } from "./server";

/** FCM's canonical status for each FcmError code. */
const FCM_STATUS: Record<string, { http: number; status: string }> = {
  UNREGISTERED: { http: 404, status: "NOT_FOUND" },
  INVALID_ARGUMENT: { http: 400, status: "INVALID_ARGUMENT" },
  SENDER_ID_MISMATCH: { http: 403, status: "PERMISSION_DENIED" },
  QUOTA_EXCEEDED: { http: 429, status: "RESOURCE_EXHAUSTED" },
  UNAVAILABLE: { http: 503, status: "UNAVAILABLE" },
  INTERNAL: { http: 500, status: "INTERNAL" },
  THIRD_PARTY_AUTH_ERROR: { http: 401, status: "UNAUTHENTICATED" },
};

export interface FcmStandin {
  recorder: Recorder;
  port: number;
  projectId: string;
  accessToken: string;
  failNext(answer: TScriptedAnswer): void;
  close(): Promise<void>;
}

export interface FcmStandinOptions {
  pki: TestPki;
  port?: number;
  host?: string;
  projectId?: string;
  accessToken?: string;
  logFile?: string;
}

function errorBody(http: number, status: string, message: string, errorCode?: string) {
  return {
    error: {
      code: http,
      message,
      status,
      ...(errorCode
        ? {
            details: [
              { "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode },
            ],
          }
        : {}),
    },
  };
}

function readBody(req: Http2ServerRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

export async function startFcmStandin(opts: FcmStandinOptions): Promise<FcmStandin> {
  const projectId = opts.projectId ?? "relay-standin";
  const accessToken = opts.accessToken ?? `standin-${randomUUID()}`;
  const recorder = new Recorder("fcm", opts.logFile);

  const reply = (
    res: Http2ServerResponse,
    http: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(http, { "content-type": "application/json; charset=UTF-8", ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: Http2ServerRequest, res: Http2ServerResponse) {
    const url = req.url ?? "";
    if (url.startsWith(CONTROL_PREFIX)) {
      const { status, body } = controlAnswer(recorder, req.method, url, await readBody(req));
      return reply(res, status, body);
    }
    const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(url);
    if (req.method !== "POST" || !m)
      return reply(res, 404, errorBody(404, "NOT_FOUND", "no such method"));
    if (req.headers.authorization !== `Bearer ${accessToken}`)
      return reply(res, 401, errorBody(401, "UNAUTHENTICATED", "invalid credentials"));
    if (m[1] !== projectId)
      return reply(res, 404, errorBody(404, "NOT_FOUND", "Requested entity was not found."));
    const raw = await readBody(req);
    let body: { message?: { token?: unknown } & Record<string, unknown> };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return reply(res, 400, errorBody(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    }
    const token = typeof body.message?.token === "string" ? body.message.token : "";
    const headers = plainHeaders(req.headers);
    const answer = (
      http: number,
      reason?: string,
      extra: Record<string, string> = {},
      message = "",
    ) => {
      recorder.record({
        token,
        headers,
        body: body,
        status: http,
        ...(reason ? { reason } : {}),
      });
      if (http === 200)
        return reply(res, 200, { name: `projects/${projectId}/messages/${randomUUID()}` });
      const s = (reason && FCM_STATUS[reason]) || { http, status: "UNKNOWN" };
      return reply(
        res,
        http,
        errorBody(http, s.status, message || reason || "error", reason),
        extra,
      );
    };
    if (!token)
      return answer(
        400,
        "INVALID_ARGUMENT",
        {},
        "The registration token is not a valid FCM registration token",
      );
    // FCM's limit: 4096 bytes of message payload (everything but the target).
    const { token: _t, ...payload } = body.message!;
    if (Buffer.byteLength(JSON.stringify(payload)) > 4096)
      return answer(400, "INVALID_ARGUMENT", {}, "Message is too big");
    const next = nextAnswer(recorder, token);
    return answer(next.status, next.reason, next.headers);
  }

  const server = createSecureServer(
    { key: opts.pki.keyPem, cert: opts.pki.certPem, allowHTTP1: true },
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) reply(res, 500, errorBody(500, "INTERNAL", "stand-in error"));
      });
    },
  );
  const { port, close } = await listen(server, opts);
  return { recorder, port, projectId, accessToken, failNext: (a) => recorder.failNext(a), close };
}
