import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "./logger";
import { onShutdown } from "./process";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ app: "test", level: "debug", destination }), lines };
}

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** process.exit, recorded instead of exiting; resolves with the first code. */
function exits() {
  let resolve!: (code: number) => void;
  const first = new Promise<number>((r) => (resolve = r));
  const spy = vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
    resolve(code ?? 0);
  }) as typeof process.exit);
  return { first, spy };
}

describe("onShutdown", () => {
  it("runs stop once on SIGTERM (a second signal is ignored) and exits 0", async () => {
    const { logger, lines } = capture();
    const exit = exits();
    const stop = vi.fn(() => new Promise<void>((r) => setTimeout(r, 20)));
    dispose = onShutdown(logger, stop, { message: "draining" });
    process.emit("SIGTERM", "SIGTERM");
    process.emit("SIGINT", "SIGINT");
    expect(await exit.first).toBe(0);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(exit.spy).toHaveBeenCalledTimes(1);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "draining", signal: "SIGTERM" }));
  });

  it("exits 1 and logs the error when stop fails", async () => {
    const { logger, lines } = capture();
    const exit = exits();
    dispose = onShutdown(logger, () => Promise.reject(new Error("store close failed")));
    process.emit("SIGINT", "SIGINT");
    expect(await exit.first).toBe(1);
    const failed = lines.find((l) => l.msg === "shutdown failed");
    expect((failed?.err as { message?: string } | undefined)?.message).toBe("store close failed");
  });

  it("exits 1 when stop takes longer than the timeout", async () => {
    const { logger } = capture();
    const exit = exits();
    vi.useFakeTimers();
    dispose = onShutdown(logger, () => new Promise<void>(() => undefined), { timeoutMs: 5_000 });
    process.emit("SIGTERM", "SIGTERM");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await exit.first).toBe(1);
  });

  it("logs unhandled rejections instead of crashing", () => {
    const { logger, lines } = capture();
    dispose = onShutdown(logger, () => Promise.resolve());
    process.emit("unhandledRejection", new Error("lost"), Promise.resolve());
    expect(lines).toContainEqual(expect.objectContaining({ msg: "unhandled rejection" }));
  });
});
