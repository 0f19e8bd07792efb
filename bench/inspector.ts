// A minimal Chrome DevTools Protocol client for a server process started with
// `--inspect=127.0.0.1:0` (its "Debugger listening on ws://…" line names the
// URL): the benchmarks use it to CPU-profile a node during one step only
// (Profiler.start/stop, nothing recorded outside the window) and to read a
// node's memory after a full GC (HeapProfiler.collectGarbage). Node's global
// WebSocket client (Node ≥ 22); plain erasable TypeScript, no local imports.

export interface TCpuProfile {
  nodes: Array<{
    id: number;
    callFrame: {
      functionName: string;
      url: string;
      lineNumber: number;
      columnNumber: number;
      scriptId?: string;
    };
    hitCount?: number;
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface TMemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The ws:// URL in a process's output (`--inspect` prints it on stderr), or null. */
export function inspectorUrlIn(lines: readonly string[]): string | null {
  for (const l of lines) {
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(l);
    if (m) return m[1]!;
  }
  return null;
}

export interface Inspector {
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Full GC, then process.memoryUsage() of the inspected process. */
  memoryAfterGc(): Promise<TMemoryUsage>;
  startProfile(intervalUs: number): Promise<void>;
  stopProfile(): Promise<TCpuProfile>;
  close(): void;
}

export async function openInspector(url: string, timeoutMs = 10_000): Promise<Inspector> {
  const ws = new WebSocket(url);
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`inspector ${url}: no connection`)), timeoutMs);
    ws.addEventListener("open", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new Error(`inspector ${url}: connection failed`));
    });
  });
  ws.addEventListener("message", (ev: MessageEvent) => {
    const msg = JSON.parse(String(ev.data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    if (msg.id === undefined) return; // an event
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  ws.addEventListener("close", () => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error("inspector closed"));
    }
    pending.clear();
  });

  const send = <T>(method: string, params: Record<string, unknown> = {}, waitMs = 60_000) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`inspector: ${method} timed out`));
      }, waitMs);
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      ws.send(JSON.stringify({ id, method, params }));
    });

  return {
    send: (method, params) => send(method, params),
    async memoryAfterGc() {
      await send("HeapProfiler.collectGarbage");
      await send("HeapProfiler.collectGarbage");
      const r = await send<{ result: { value: string } }>("Runtime.evaluate", {
        expression: "JSON.stringify(process.memoryUsage())",
        returnByValue: true,
      });
      return JSON.parse(r.result.value) as TMemoryUsage;
    },
    async startProfile(intervalUs) {
      await send("Profiler.enable");
      await send("Profiler.setSamplingInterval", { interval: intervalUs });
      await send("Profiler.start");
    },
    async stopProfile() {
      const r = await send<{ profile: TCpuProfile }>("Profiler.stop", {}, 120_000);
      await send("Profiler.disable");
      return r.profile;
    },
    close: () => ws.close(),
  };
}
