// What both stand-ins' HTTP/2 servers share: listening, closing with their
// keep-alive connections, the `/__standin/*` control paths, the scripted
// answer of a request and its headers as recorded.
import type { IncomingHttpHeaders, Http2SecureServer } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import type { Recorder, TScriptedAnswer } from "./recorder";

export const CONTROL_PREFIX = "/__standin/";

/** Listens on host:port (127.0.0.1, any free port by default); `close()` also ends open connections. */
export async function listen(
  server: Http2SecureServer,
  opts: { port?: number; host?: string },
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open.
        for (const s of sockets) s.destroy();
      }),
  };
}

/**
 * The control paths (`GET received`, `POST fail` with a scripted answer,
 * `POST reset`) for `npm run push:standins` and other processes' tests:
 * the status and JSON body to answer.
 */
export function controlAnswer(
  recorder: Recorder,
  method: string,
  path: string,
  raw: string,
): { status: number; body: unknown } {
  if (path === `${CONTROL_PREFIX}received`) return { status: 200, body: recorder.received };
  if (method === "POST" && path === `${CONTROL_PREFIX}fail`) {
    recorder.failNext(JSON.parse(raw) as TScriptedAnswer);
    return { status: 200, body: { ok: true } };
  }
  if (method === "POST" && path === `${CONTROL_PREFIX}reset`) {
    recorder.reset(true);
    return { status: 200, body: { ok: true } };
  }
  return { status: 404, body: { error: "unknown control path" } };
}

/** The answer to a request for `token`: the recorder's scripted one (with its Retry-After), else 200. */
export function nextAnswer(
  recorder: Recorder,
  token: string,
): { status: number; reason?: string; headers: Record<string, string> } {
  const scripted = recorder.answerFor(token);
  if (!scripted) return { status: 200, headers: {} };
  return {
    status: scripted.status,
    reason: scripted.reason,
    headers: scripted.retryAfter ? { "retry-after": scripted.retryAfter } : {},
  };
}

/** A request's headers without the HTTP/2 pseudo-headers, as strings. */
export function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([k]) => !k.startsWith(":"))
      .map(([k, v]) => [k, String(v)]),
  );
}
