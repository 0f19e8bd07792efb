// Plain HTTP routes on the realtime node. The public port (REALTIME_PORT,
// next to Socket.IO's /socket.io/) has /healthz and GET
// /v1/conversations/:id/messages — message history for API clients, behind
// the same checks as REST v1 (a valid access token of an ACTIVE user,
// membership), through the same core use case. The internal port
// (REALTIME_METRICS_PORT, loopback by default) has /metrics and /healthz:
// metrics name users' activity and the node's internals, so they are never
// served where clients connect.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  authenticateAccessToken,
  checkHealth,
  messageHistory,
  type CoreDeps,
  type Logger,
  type TokenService,
} from "@relay/core";
import { AppError, fail, HTTP_STATUS_BY_CODE, toErrorBody } from "@relay/shared/errors";
import { parsePayloadOrThrow } from "@relay/shared/protocol";
import { ZIdSchema, ZMessageHistoryQuerySchema } from "@relay/shared/schemas";
import type { Metrics } from "./metrics";

export interface HttpContext {
  core: CoreDeps;
  tokens: TokenService;
  metrics: Metrics;
  logger: Logger;
}

const HISTORY_ROUTE = /^\/v1\/conversations\/([^/]+)\/messages$/;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    "content-type": contentType,
    "cache-control": "no-store",
  };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="relay"';
  res.writeHead(status, headers);
  res.end(text);
}

/** A %-encoded path segment; malformed encoding is the client's error, not ours. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError("INVALID_PAYLOAD", "path: malformed %-encoding");
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

export type THttpPort = "public" | "internal";

export function createHttpHandler(ctx: HttpContext, port: THttpPort) {
  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://local");
    if (req.method === "GET" && url.pathname === "/healthz") {
      const report = await checkHealth(ctx.core);
      for (const [name, d] of Object.entries(report.dependencies)) {
        ctx.metrics.dependencyUp.set({ dependency: name }, d.status === "up" ? 1 : 0);
        ctx.metrics.dependencyLatency.set({ dependency: name }, d.latencyMs);
      }
      return send(res, report.status === "ok" ? 200 : 503, report);
    }
    if (port === "internal") {
      if (req.method === "GET" && url.pathname === "/metrics")
        return send(
          res,
          200,
          await ctx.metrics.registry.metrics(),
          ctx.metrics.registry.contentType,
        );
      return send(res, 404, fail("NOT_FOUND", "no such route"));
    }
    const history = HISTORY_ROUTE.exec(url.pathname);
    if (req.method === "GET" && history) {
      const { user } = await authenticateAccessToken(
        { db: ctx.core.db, tokens: ctx.tokens },
        bearer(req),
      );
      const conversationId = parsePayloadOrThrow(ZIdSchema, decodePathSegment(history[1] ?? ""));
      const query = parsePayloadOrThrow(
        ZMessageHistoryQuerySchema,
        Object.fromEntries(url.searchParams),
      );
      const result = await messageHistory(ctx.core, {
        actor: { userId: user.id, role: user.role },
        conversationId,
        ...query,
      });
      return send(res, 200, result);
    }
    // Never echo the path: it is attacker-controlled text.
    return send(res, 404, fail("NOT_FOUND", "no such route"));
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    // Socket.IO's own requests are answered by its engine.
    if (port === "public" && req.url?.startsWith("/socket.io/")) return;
    route(req, res).catch((err: unknown) => {
      if (!(err instanceof AppError))
        ctx.logger.error({ err, path: req.url }, "http handler failed");
      const body = toErrorBody(err);
      if (!res.headersSent) send(res, HTTP_STATUS_BY_CODE[body.error.code], body);
      else res.destroy();
    });
  };
}
