// Bench-only experiment (BENCH_S6_BACKLOG=<n>, bench/reconnect.ts): preloaded
// into a Relay node with `--import`, it gives every `server.listen(port, host,
// cb)` a listen backlog of BENCH_LISTEN_BACKLOG instead of Node's default 511
// (the kernel caps it at net.core.somaxconn). Not how Relay runs: it shows
// what a larger accept queue would change in a reconnect storm.
import net from "node:net";

const backlog = Number(process.env.BENCH_LISTEN_BACKLOG);
if (Number.isInteger(backlog) && backlog > 0) {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    if (typeof args[0] === "number" && typeof args.at(-1) === "function") {
      const cb = args.at(-1);
      const host = typeof args[1] === "string" ? args[1] : undefined;
      return listen.call(this, { port: args[0], ...(host ? { host } : {}), backlog }, cb);
    }
    return listen.apply(this, args);
  };
}
