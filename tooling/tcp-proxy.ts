// A TCP proxy the tests can cut and restore, to take a real store "down"
// (connections reset, new ones refused) without stopping the shared service,
// or slow down (every request delayed, in order) to widen the windows
// between a store's steps the way a real network does.
import net from "node:net";

export interface TcpProxy {
  port: number;
  /**
   * Drop every connection and refuse new ones (the port stops listening:
   * connects fail at once with ECONNREFUSED, as when the store's process is
   * down — not accepted and then closed, which some drivers only notice at
   * their request timeout).
   */
  cut(): void;
  /** Listen on the same port and forward connections again; resolves once listening. */
  restore(): Promise<void>;
  /** Delay what the client sends by `ms` (0: none), keeping its order. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let up = true;
  let latencyMs = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.on("data", (chunk: Buffer) => {
      // Equal delays fire in the order they were set: the byte stream stays in order.
      if (latencyMs === 0) upstream.write(chunk);
      else setTimeout(() => upstream.writable && upstream.write(chunk), latencyMs);
    });
    upstream.pipe(client);
  });
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(p, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  let listening: Promise<void> = Promise.resolve();
  return {
    port,
    cut() {
      if (!up) return;
      up = false;
      server.close();
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      if (up) return listening;
      up = true;
      listening = listen(port);
      return listening;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) resolve();
        else server.close(() => resolve());
      }),
  };
}
