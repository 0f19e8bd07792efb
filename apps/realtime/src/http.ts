// Plain HTTP routes on the realtime node (Socket.IO handles /socket.io/).
import type { IncomingMessage, ServerResponse } from "node:http";
import { fail, toErrorBody } from "@relay/shared/errors";
import type { Deps } from "./deps";
import { checkHealth } from "./health";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";

export interface HttpContext {
  deps: Deps;
  metrics: Metrics;
  logger: Logger;
}

function send(res: ServerResponse, status: number, body: unknown, contentType = "application/json") {
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
    return send(res, 404, fail("NOT_FOUND", `no route for ${req.method ?? "GET"} ${url.pathname}`));
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    // Socket.IO's own requests are answered by its engine.
    if (req.url?.startsWith("/socket.io/")) return;
    route(req, res).catch((err: unknown) => {
      ctx.logger.error("http handler failed", { err, path: req.url });
      if (!res.headersSent) send(res, 500, toErrorBody(err));
      else res.destroy();
    });
  };
}
