import { AppError } from "@relay/shared/errors";

/**
 * Run a store call; any failure becomes UNAVAILABLE (the client may retry),
 * AppErrors pass through. The cause is kept for logs, never sent to clients.
 */
export async function orUnavailable<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("UNAVAILABLE", `${what} is unavailable; retry later`, { cause: err });
  }
}
