// Test data in the real test database, and small socket helpers.
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { createTestConversation, createTestUser, openTestStores } from "@relay/core/testing";
import type { TUserRole } from "@relay/shared/schemas";
import { connectClient, signTestToken, type TestClient } from "./helpers";

const stores = openTestStores({ dbPoolMax: 3 });
afterAll(() => stores.close());
/** The test database, for fixtures and for checking what the nodes wrote. */
export const db = stores.db;

export interface TestUser {
  id: string;
  role: TUserRole;
  token: string;
}

export async function createUser(role: TUserRole = "USER"): Promise<TestUser> {
  const user = await createTestUser(db, { name: "Test User", role });
  return { id: user.id, role, token: await signTestToken(user.id, { role }) };
}

export function createConversation(type: "DIRECT" | "GROUP", members: TestUser[]): Promise<string> {
  return createTestConversation(db, type, members);
}

export function connectAs(url: string, user: TestUser): Promise<TestClient> {
  return connectClient(url, { token: user.token });
}

/** Emit with an ack and resolve with the ack envelope. */
export function request<T = unknown>(
  socket: TestClient,
  event: string,
  payload: unknown,
): Promise<{ ok: true; data: T } | { ok: false; error: { code: string; message: string } }> {
  return (
    socket as unknown as {
      timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<never> };
    }
  )
    .timeout(10_000)
    .emitWithAck(event, payload);
}

/** Resolve with the next `event` on `socket` that satisfies `match`. */
export function nextEvent<T = unknown>(
  socket: TestClient,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<T> {
  const s = socket as unknown as {
    on(e: string, l: (p: T) => void): void;
    off(e: string, l: (p: T) => void): void;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (p: T) => {
      if (!match(p)) return;
      clearTimeout(timer);
      s.off(event, listener);
      resolve(p);
    };
    s.on(event, listener);
  });
}

/** Collect every `event` on `socket` from now on. */
export function record<T = unknown>(socket: TestClient, event: string): T[] {
  const seen: T[] = [];
  (socket as unknown as { on(e: string, l: (p: T) => void): void }).on(event, (p: T) =>
    seen.push(p),
  );
  return seen;
}

export const newClientMsgId = (): string => randomUUID();
