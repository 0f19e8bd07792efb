import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, logFormatFor } from "./logger";

/** A logger writing JSON lines into memory. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ app: "test", level: "debug", destination });
  return { logger, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes one JSON line per event with app, level, time and message", () => {
    const { logger, lines } = capture();
    logger.info({ port: 4000 }, "listening");
    const [line] = lines();
    expect(line).toMatchObject({ app: "test", level: 30, port: 4000, msg: "listening" });
    expect(Date.parse(String(line?.time))).not.toBeNaN();
  });

  it("keeps an error's stack and cause chain under err", () => {
    const { logger, lines } = capture();
    const cause = new Error("connect ECONNREFUSED 127.0.0.1:9042");
    logger.warn({ err: new Error("message store is unavailable", { cause }) }, "store unavailable");
    const err = lines()[0]?.err as { message: string; stack: string; cause: { message: string } };
    expect(err.message).toBe("message store is unavailable");
    expect(err.stack).toContain("logger.test.ts");
    expect(err.cause.message).toBe(cause.message);
  });

  it("redacts credentials at any of the first three levels", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: "hunter2",
        token: "jwt-1",
        req: { headers: { authorization: "Bearer jwt-2", cookie: "authjs.session-token=s3" } },
        body: { refreshToken: "r-1", name: "Alice" },
      },
      "request",
    );
    const text = JSON.stringify(lines()[0]);
    for (const secret of ["hunter2", "jwt-1", "jwt-2", "s3", "r-1"])
      expect(text).not.toContain(secret);
    expect(text).toContain("Alice");
    expect(text).toContain("[redacted]");
  });

  it("is JSON unless asked for pretty, and pretty by default in development", () => {
    expect(logFormatFor({ NODE_ENV: "production" })).toBe("json");
    expect(logFormatFor({ NODE_ENV: "test" })).toBe("json");
    expect(logFormatFor({ NODE_ENV: "development" })).toBe("pretty");
    expect(logFormatFor({ NODE_ENV: "development", LOG_FORMAT: "json" })).toBe("json");
    expect(logFormatFor({ NODE_ENV: "production", LOG_FORMAT: "pretty" })).toBe("pretty");
  });
});
