// What both stand-ins share: the record of every request they accepted, the
// scripted answers (errors on demand), and waiting for a request to arrive.
import { EventEmitter } from "node:events";
import { appendFileSync } from "node:fs";

/** An answer the stand-in gives instead of success. */
export interface TScriptedAnswer {
  /** HTTP status (e.g. 503, 410, 400, 429). */
  status: number;
  /** FCM: the FcmError code (UNREGISTERED, INVALID_ARGUMENT…); APNs: the reason (BadDeviceToken…). */
  reason: string;
  /** Retry-After header value (seconds or an HTTP date). */
  retryAfter?: string;
  /** How many requests get it (default 1). */
  times?: number;
  /** Only requests for this device token. */
  token?: string;
}

/** One request the stand-in received and what it answered. */
export interface TReceived {
  /** Arrival order, 1-based. */
  n: number;
  at: string;
  token: string;
  headers: Record<string, string>;
  /** The parsed JSON body (FCM: `{message}`; APNs: `{aps, …}`). */
  body: Record<string, unknown>;
  status: number;
  reason?: string;
}

export class Recorder extends EventEmitter {
  readonly received: TReceived[] = [];
  private readonly script: Array<Required<Pick<TScriptedAnswer, "times">> & TScriptedAnswer> = [];
  private readonly dead = new Map<string, TScriptedAnswer>();

  constructor(
    readonly name: string,
    private readonly logFile?: string,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** The next `times` requests (for `token`, if given) get this answer. */
  failNext(answer: TScriptedAnswer): void {
    this.script.push({ ...answer, times: answer.times ?? 1 });
  }

  /** Every later request for `token` gets this answer (a dead token). */
  failToken(token: string, answer: Omit<TScriptedAnswer, "token" | "times">): void {
    this.dead.set(token, answer);
  }

  /** Forget scripted answers and dead tokens (the record stays unless `clearRecord`). */
  reset(clearRecord = false): void {
    this.script.length = 0;
    this.dead.clear();
    if (clearRecord) this.received.length = 0;
  }

  /** The scripted answer for a request to `token`, if any (consumes one use). */
  answerFor(token: string): TScriptedAnswer | null {
    const dead = this.dead.get(token);
    if (dead) return dead;
    const i = this.script.findIndex((a) => !a.token || a.token === token);
    if (i < 0) return null;
    const a = this.script[i]!;
    if (--a.times <= 0) this.script.splice(i, 1);
    return a;
  }

  record(entry: Omit<TReceived, "n" | "at">): TReceived {
    const full: TReceived = { n: this.received.length + 1, at: new Date().toISOString(), ...entry };
    this.received.push(full);
    if (this.logFile)
      appendFileSync(this.logFile, `${JSON.stringify({ standin: this.name, ...full })}\n`);
    this.emit("request", full);
    return full;
  }

  /** Accepted (200) requests. */
  delivered(): TReceived[] {
    return this.received.filter((r) => r.status === 200);
  }

  /** Resolves with the first request (already received or later) matching `pred`. */
  waitFor(pred: (r: TReceived) => boolean, timeoutMs = 15_000): Promise<TReceived> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("request", on);
        reject(new Error(`${this.name} stand-in: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (r: TReceived) => {
        if (!pred(r)) return;
        clearTimeout(timer);
        this.off("request", on);
        resolve(r);
      };
      this.on("request", on);
    });
  }

  /** Resolves once `count` requests match `pred`. */
  async waitForCount(
    pred: (r: TReceived) => boolean,
    count: number,
    timeoutMs = 30_000,
  ): Promise<TReceived[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.received.filter(pred);
      if (matching.length >= count) return matching;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${this.name} stand-in: ${matching.length}/${count} matching requests`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.once("request", done);
      });
    }
  }
}
