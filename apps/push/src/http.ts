// The worker's own small HTTP server: GET /metrics (Prometheus) and GET
// /healthz (stores + whether the worker is taking jobs).
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import { checkHealth, type CoreDeps } from "@relay/core";

export function createPushHttpServer(opts: {
  registry: Registry;
  core: Pick<CoreDeps, "db" | "redis" | "messages">;
  running: () => boolean;
}): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, body: string, type = "application/json") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (req.method !== "GET") return send(405, JSON.stringify({ error: "method not allowed" }));
    if (path === "/metrics") {
      opts.registry
        .metrics()
        .then((text) => send(200, text, opts.registry.contentType))
        .catch(() => send(500, "metrics unavailable", "text/plain"));
      return;
    }
    if (path === "/healthz") {
      checkHealth(opts.core)
        .then((report) => {
          const worker = opts.running() ? "running" : "stopped";
          const ok = report.status === "ok" && worker === "running";
          send(
            ok ? 200 : 503,
            JSON.stringify({ ...report, status: ok ? "ok" : "degraded", worker }),
          );
        })
        .catch(() => send(503, JSON.stringify({ status: "degraded" })));
      return;
    }
    send(404, JSON.stringify({ error: "not found" }));
  });
}
