/**
 * Error codes and the single ack / REST error envelope:
 * `{ ok: true, data }` or `{ ok: false, error: { code, message } }`.
 */

export const ERROR_CODES = [
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INVALID_PAYLOAD",
  "PAYLOAD_TOO_LARGE",
  "RATE_LIMITED",
  "CONFLICT",
  "UNAVAILABLE",
  "INTERNAL",
] as const;

export type TErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for each code; REST responses use the same body as acks. */
export const HTTP_STATUS_BY_CODE = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_PAYLOAD: 400,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<TErrorCode, number>;

/** Message sent for anything that is not an AppError: internals never leak. */
export const INTERNAL_ERROR_MESSAGE = "internal error";

export function isErrorCode(value: unknown): value is TErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * An error whose code and message are safe to show to the client.
 * `details` stay on the server (logs); they are never put in the envelope.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: TErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: TErrorCode, message: string, options?: { details?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = HTTP_STATUS_BY_CODE[code];
    if (options?.details !== undefined) this.details = options.details;
  }
}

export type TErrorBody = { code: TErrorCode; message: string };
export type TAckOk<T> = { ok: true; data: T };
export type TAckError = { ok: false; error: TErrorBody };
export type TAck<T> = TAckOk<T> | TAckError;

export function ok<T>(data: T): TAckOk<T> {
  return { ok: true, data };
}

export function fail(code: TErrorCode, message: string): TAckError {
  return { ok: false, error: { code, message } };
}

/** Envelope for any thrown value: AppError keeps its code/message, everything else is INTERNAL. */
export function toErrorBody(err: unknown): TAckError {
  if (err instanceof AppError) return fail(err.code, err.message);
  return fail("INTERNAL", INTERNAL_ERROR_MESSAGE);
}
