// Plain HTTP routes on the realtime node (Socket.IO handles /socket.io/).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenService } from "@relay/core/tokens";
import { AppError, fail, HTTP_STATUS_BY_CODE, toErrorBody } from "@relay/shared/errors";
import { parsePayloadOrThrow } from "@relay/shared/protocol";
import { ZMessageHistoryPayloadSchema } from "@relay/shared/schemas";
import type { Deps } from "./deps";
import { checkHealth } from "./health";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { MessageService } from "./services/message-service";

export interface HttpContext {
  deps: Deps;
  metrics: Metrics;
  logger: Logger;
  tokens: TokenService;
  messageService: MessageService;
}

const HISTORY_ROUTE = /^\/v1\/conversations\/([^/]+)\/messages$/;
/** Query values that look like integers become numbers; anything else is left for the schema to reject. */
const queryValue = (v: string) => (/^\d{1,15}$/.test(v) ? Number(v) : v);

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(text);
}

export function createHttpHandler(ctx: HttpContext) {
  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://local");
    if (req.method === "GET" && url.pathname === "/healthz") {
      const report = await checkHealth(ctx.deps);
      for (const [name, d] of Object.entries(report.dependencies)) {
        ctx.metrics.dependencyUp.set({ dependency: name }, d.status === "up" ? 1 : 0);
        ctx.metrics.dependencyLatency.set({ dependency: name }, d.latencyMs);
      }
      return send(res, report.status === "ok" ? 200 : 503, report);
    }
    if (req.method === "GET" && url.pathname === "/metrics") {
      return send(res, 200, await ctx.metrics.registry.metrics(), ctx.metrics.registry.contentType);
    }
    const history = HISTORY_ROUTE.exec(url.pathname);
    if (req.method === "GET" && history) {
      const header = req.headers.authorization ?? "";
      const claims = await ctx.tokens.verifyAccess(
        header.startsWith("Bearer ") ? header.slice(7) : undefined,
      );
      const payload = {
        conversationId: decodeURIComponent(history[1]!),
        ...Object.fromEntries([...url.searchParams].map(([k, v]) => [k, queryValue(v)])),
      };
      const result = await ctx.messageService.history(
        claims,
        parsePayloadOrThrow(ZMessageHistoryPayloadSchema, payload),
      );
      return send(res, 200, result);
    }
    return send(res, 404, fail("NOT_FOUND", `no route for ${req.method ?? "GET"} ${url.pathname}`));
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    // Socket.IO's own requests are answered by its engine.
    if (req.url?.startsWith("/socket.io/")) return;
    route(req, res).catch((err: unknown) => {
      if (!(err instanceof AppError))
        ctx.logger.error("http handler failed", { err, path: req.url });
      const body = toErrorBody(err);
      if (!res.headersSent) send(res, HTTP_STATUS_BY_CODE[body.error.code], body);
      else res.destroy();
    });
  };
}
