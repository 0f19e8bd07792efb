// A client process for the scenario benchmarks: holds many socket.io-client
// sockets so no single generator process (or its file limit) caps what a
// server is offered. Started by bench/clients.ts with an IPC channel; every
// command comes from the parent and every answer goes back to it.
//
//   {type:"connect", url, auths, localAddresses, concurrency}
//        → {type:"connected", ok, failed, firstAt, lastAt, latency, errors}
//   {type:"count"}  → {type:"count", open}
//   {type:"close"}  → {type:"closed"}, then the process exits
//
// Sockets connect from the given 127.x.y.z source addresses in turn (the
// `localAddress` option reaches ws), so no one (source, destination) pair runs
// out of ephemeral ports. Times are wall-clock milliseconds
// (performance.timeOrigin + performance.now()), comparable across processes.
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import { newHistogram, recordMs, summarize } from "./stats";

type TCommand =
  | {
      type: "connect";
      url: string;
      auths: Array<Record<string, unknown>>;
      localAddresses: string[];
      concurrency: number;
      timeoutMs?: number;
    }
  | { type: "count" }
  | { type: "close" };

const now = () => performance.timeOrigin + performance.now();
const sockets: Socket[] = [];
let open = 0;

const send = (m: unknown) => process.send?.(m);

async function connectAll(c: Extract<TCommand, { type: "connect" }>) {
  const h = newHistogram();
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let firstAt = 0;
  let lastAt = 0;
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const t = now();
      const s = io(c.url, {
        auth: c.auths[i]!,
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        timeout: c.timeoutMs ?? 30_000,
        ...({ localAddress: c.localAddresses[i % c.localAddresses.length] } as object),
      });
      s.once("connect", () => {
        const at = now();
        ok++;
        open++;
        firstAt ||= at;
        lastAt = at;
        recordMs(h, at - t);
        sockets.push(s);
        s.once("disconnect", () => open--);
        resolve();
      });
      s.once("connect_error", (err: Error) => {
        failed++;
        const k = err.message.slice(0, 80);
        errors[k] = (errors[k] ?? 0) + 1;
        s.close();
        resolve();
      });
    });
  const start = now();
  await Promise.all(
    Array.from({ length: Math.min(c.concurrency, c.auths.length) }, async () => {
      while (next < c.auths.length) await one(next++);
    }),
  );
  const latency = summarize(h);
  h.destroy();
  send({ type: "connected", ok, failed, startAt: start, firstAt, lastAt, latency, errors });
}

process.on("message", (m: TCommand) => {
  if (m.type === "connect") void connectAll(m);
  else if (m.type === "count") send({ type: "count", open });
  else if (m.type === "close") {
    for (const s of sockets) s.close();
    send({ type: "closed" });
    setTimeout(() => process.exit(0), 200);
  }
});
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
