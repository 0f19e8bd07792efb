// Acceptance of the messaging core: a client that knows only the documented
// contract (docs/api.md, docs/protocol.md) — HTTP to the built web app, Socket.IO
// to two built realtime nodes — signs up, chats, pages history, sees receipts
// and typing, reconnects and syncs without loss or duplicates, and is refused
// with the right codes when it misbehaves. Every REST response is checked
// against the OpenAPI document the running web app serves.
import { randomUUID } from "node:crypto";
import path from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAnswer, freePort, launch, launchApp, root, type Proc } from "./support";

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
interface Msg {
  id: string;
  seq: number;
  body: string;
  senderId: string;
  conversationId: string;
}

/** The parts of GET /api/v1/openapi.json this file reads. */
interface OpenApiDoc {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          { content?: Record<string, { schema?: Record<string, unknown> }> }
        >;
      }
    >
  >;
  components: Record<string, unknown>;
}

const procs: Proc[] = [];
const sockets: Socket[] = [];
let web = "";
let nodeA = "";
let nodeB = "";
let openapi: OpenApiDoc;

beforeAll(async () => {
  const [webPort, a, b] = await Promise.all([freePort(), freePort(), freePort()]);
  web = `http://127.0.0.1:${webPort}`;
  nodeA = `http://127.0.0.1:${a}`;
  nodeB = `http://127.0.0.1:${b}`;
  const realtime = path.join(root, "apps/realtime/dist/index.js");
  const pa = launch(process.execPath, [realtime], root, { REALTIME_PORT: String(a) });
  const pb = launch(process.execPath, [realtime], root, { REALTIME_PORT: String(b) });
  const pw = launchApp("web", webPort, {
    REALTIME_PUBLIC_URL: nodeA,
    AUTH_SIGNUP_LIMIT: "1000",
    AUTH_TOKEN_LIMIT: "1000",
  });
  procs.push(pa, pb, pw);
  await Promise.all([
    firstAnswer(`${nodeA}/healthz`, pa),
    firstAnswer(`${nodeB}/healthz`, pb),
    firstAnswer(`${web}/api/healthz`, pw),
  ]);
  const doc = await fetch(`${web}/api/v1/openapi.json`);
  expect(doc.status).toBe(200);
  expect(doc.headers.get("content-type")).toMatch(/^application\/json/);
  openapi = (await doc.json()) as OpenApiDoc;
  expect(openapi.openapi).toMatch(/^3\.1\./);
}, 90_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const p of procs) p.child.kill("SIGTERM");
  await Promise.all(procs.map((p) => p.exited));
});

// The document's schemas are compiled with its components alongside, so their
// `#/components/schemas/…` refs resolve; `components` is declared as a
// (non-validating) keyword so ajv can stay strict.
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
ajv.addKeyword({ keyword: "components" });
const validators = new Map<string, ValidateFunction>();

/** The document's path template for a concrete path; a static segment beats a parameter. */
function templateFor(pathname: string): string | undefined {
  const params = (t: string) => t.split("{").length - 1;
  return Object.keys(openapi.paths)
    .filter((t) => {
      const pattern = t.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\w+\}/g, "[^/]+");
      return new RegExp(`^${pattern}$`).test(pathname);
    })
    .sort((a, b) => params(a) - params(b))[0];
}

/** Throws unless (method, path, status) is documented and the body matches its schema. */
function expectDocumented(method: string, pathname: string, status: number, body: unknown): void {
  const template = templateFor(pathname);
  const response = template
    ? openapi.paths[template]?.[method.toLowerCase()]?.responses[String(status)]
    : undefined;
  const key = `${method} ${template ?? pathname} → ${status}`;
  if (!response) throw new Error(`${key}: not documented in /api/v1/openapi.json`);
  const schema = response.content?.["application/json"]?.schema;
  if (!schema) {
    if (body !== null) throw new Error(`${key}: documented without a body, got one`);
    return;
  }
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ ...schema, components: openapi.components });
    validators.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(
      `${key}: body does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
    );
  }
}

async function api<T = Record<string, unknown>>(
  method: string,
  route: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const url = `${web}/api/v1${route}`;
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const received: unknown = res.status === 204 ? null : await res.json();
  expectDocumented(method, new URL(url).pathname, res.status, received);
  return { status: res.status, body: received as T };
}

async function person(name: string) {
  const email = `${name.toLowerCase()}-${randomUUID()}@contract.relay`;
  const signup = await api<{ user: { id: string } }>("POST", "/auth/signup", {
    email,
    password: "contract-pass-1",
    name,
  });
  expect(signup.status).toBe(201);
  const tokens = await api<{
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    user: { id: string };
  }>("POST", "/auth/token", { email, password: "contract-pass-1" });
  expect(tokens.status).toBe(200);
  return { id: signup.body.user.id, email, ...tokens.body };
}

function connect(url: string, token: string): Promise<Socket> {
  const s = io(url, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(s);
  return new Promise((resolve, reject) => {
    s.once("connect", () => resolve(s));
    s.once("connect_error", reject);
  });
}

const ack = <T>(s: Socket, event: string, payload: unknown) =>
  s.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<T>>;

function nextEvent<T>(s: Socket, event: string, match: (p: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event}`)), 10_000);
    const l = (p: T) => {
      if (!match(p)) return;
      clearTimeout(timer);
      s.off(event, l);
      resolve(p);
    };
    s.on(event, l);
  });
}

describe("the documented contract, end to end", () => {
  it("sign up, tokens, DM and group, live chat across nodes, history, receipts, typing, reconnect + sync, refusals", async () => {
    const [alice, bob, mallory] = await Promise.all([
      person("Alice"),
      person("Bob"),
      person("Mallory"),
    ]);

    // Auth refusals and refresh rotation.
    expect(
      (
        await api("POST", "/auth/signup", {
          email: alice.email,
          password: "contract-pass-1",
          name: "Dup",
        })
      ).body,
    ).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(
      (await api("POST", "/auth/token", { email: alice.email, password: "wrong-password" })).status,
    ).toBe(401);
    const refreshed = await api<{ accessToken: string; refreshToken: string }>(
      "POST",
      "/auth/refresh",
      { refreshToken: alice.refreshToken },
    );
    expect(refreshed.status).toBe(200);
    expect((await api("POST", "/auth/refresh", { refreshToken: alice.refreshToken })).status).toBe(
      401,
    );
    expect((await api("GET", "/conversations")).status).toBe(401);

    // Conversations.
    const dm = await api<{ conversation: { id: string } }>(
      "POST",
      "/conversations",
      { type: "direct", userId: bob.id },
      alice.accessToken,
    );
    expect(dm.status).toBe(201);
    const again = await api<{ conversation: { id: string } }>(
      "POST",
      "/conversations",
      { type: "direct", userId: alice.id },
      bob.accessToken,
    );
    expect(again.body.conversation.id).toBe(dm.body.conversation.id);
    const group = await api<{ conversation: { id: string } }>(
      "POST",
      "/conversations",
      { type: "group", title: "Contract", memberIds: [bob.id] },
      alice.accessToken,
    );
    expect(group.status).toBe(201);
    const convId = dm.body.conversation.id;

    // Live delivery across nodes.
    const a = await connect(nodeA, alice.accessToken);
    const b = await connect(nodeB, bob.accessToken);
    const incoming = nextEvent<Msg>(b, "message:new");
    const sent = await ack<{ messageId: string; seq: number }>(a, "message:send", {
      conversationId: convId,
      clientMsgId: "c-1",
      body: "hello from A",
    });
    expect(sent).toMatchObject({ ok: true, data: { seq: 1 } });
    expect(await incoming).toMatchObject({ body: "hello from A", seq: 1, senderId: alice.id });
    await ack(a, "message:send", { conversationId: convId, clientMsgId: "c-2", body: "second" });
    await ack(a, "message:send", {
      conversationId: group.body.conversation.id,
      clientMsgId: "g-1",
      body: "hi group",
    });

    // History over the socket and over HTTP.
    const hist = await ack<{ messages: Msg[]; hasMore: boolean }>(b, "message:history", {
      conversationId: convId,
      limit: 1,
    });
    expect(hist).toMatchObject({
      ok: true,
      data: { hasMore: true, messages: [{ seq: 2, body: "second" }] },
    });
    const http = await fetch(`${nodeB}/v1/conversations/${convId}/messages?beforeSeq=2`, {
      headers: { authorization: `Bearer ${bob.accessToken}` },
    });
    expect(((await http.json()) as { messages: Msg[] }).messages.map((m) => m.body)).toEqual([
      "hello from A",
    ]);
    // …and through the web app's REST route, with the same rules.
    const latest = await api<{ messages: Msg[]; hasMore: boolean }>(
      "GET",
      `/conversations/${convId}/messages?limit=1`,
      undefined,
      bob.accessToken,
    );
    expect(latest).toMatchObject({
      status: 200,
      body: { hasMore: true, messages: [{ seq: 2, body: "second" }] },
    });
    const older = await api<{ messages: Msg[]; hasMore: boolean }>(
      "GET",
      `/conversations/${convId}/messages?beforeSeq=2`,
      undefined,
      bob.accessToken,
    );
    expect(older.status).toBe(200);
    expect(older.body.messages.map((m) => m.body)).toEqual(["hello from A"]);
    expect(
      await api("GET", `/conversations/${convId}/messages`, undefined, mallory.accessToken),
    ).toMatchObject({ status: 403, body: { ok: false, error: { code: "FORBIDDEN" } } });
    expect(
      (
        await api(
          "GET",
          `/conversations/${convId}/messages?beforeSeq=2&afterSeq=1`,
          undefined,
          bob.accessToken,
        )
      ).status,
    ).toBe(400);

    // Receipts and typing.
    const receipt = nextEvent<{ userId: string; kind: string; seq: number }>(
      a,
      "receipt",
      (r) => r.kind === "read",
    );
    expect(await ack(b, "receipt:read", { conversationId: convId, seq: 2 })).toEqual({
      ok: true,
      data: { seq: 2 },
    });
    expect(await receipt).toEqual({ conversationId: convId, userId: bob.id, kind: "read", seq: 2 });
    const typing = nextEvent<{ userId: string; typing: boolean }>(a, "typing");
    b.emit("typing:start", { conversationId: convId });
    expect(await typing).toEqual({ conversationId: convId, userId: bob.id, typing: true });

    // The list shows the last message and unread counts.
    const list = await api<{
      conversations: Array<{
        id: string;
        lastSeq: number;
        unread: number;
        lastMessage: Msg | null;
      }>;
    }>("GET", "/conversations", undefined, bob.accessToken);
    const entry = list.body.conversations.find((c) => c.id === convId)!;
    expect(entry).toMatchObject({ lastSeq: 2, unread: 0, lastMessage: { body: "second" } });
    expect(list.body.conversations.find((c) => c.id === group.body.conversation.id)).toMatchObject({
      unread: 1,
    });

    // Bob drops off; Alice writes; Bob comes back on the other node and catches up exactly.
    b.close();
    for (const n of [3, 4, 5])
      await ack(a, "message:send", {
        conversationId: convId,
        clientMsgId: `c-${n}`,
        body: `missed ${n}`,
      });
    const b2 = await connect(nodeA, bob.accessToken);
    const sync = await ack<Record<string, { lastSeq: number; unread: number }>>(b2, "sync", {
      conversations: { [convId]: 2 },
    });
    expect(sync).toMatchObject({ ok: true, data: { [convId]: { lastSeq: 5, unread: 3 } } });
    const missed = await ack<{ messages: Msg[]; hasMore: boolean }>(b2, "message:history", {
      conversationId: convId,
      afterSeq: 2,
    });
    expect(missed.ok && missed.data.messages.map((m) => [m.seq, m.body])).toEqual([
      [3, "missed 3"],
      [4, "missed 4"],
      [5, "missed 5"],
    ]);
    // A retried send returns the original and adds nothing.
    const retry = await ack<{ seq: number }>(a, "message:send", {
      conversationId: convId,
      clientMsgId: "c-5",
      body: "missed 5",
    });
    expect(retry).toMatchObject({ ok: true, data: { seq: 5 } });

    // Misbehaviour gets codes, not crashes.
    const m = await connect(nodeB, mallory.accessToken);
    expect(
      await ack(m, "message:send", { conversationId: convId, clientMsgId: "x", body: "let me in" }),
    ).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await ack(m, "message:send", { conversationId: convId })).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });
    expect(
      await ack(a, "message:send", {
        conversationId: convId,
        clientMsgId: "big",
        body: "x".repeat(4001),
      }),
    ).toMatchObject({ ok: false, error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(await ack(a, "no:such:event", {})).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });
    const bad = await connect(nodeA, "not-a-token").catch(
      (e: Error & { data?: unknown }) => e.data,
    );
    expect(bad).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
    expect(
      (
        await api(
          "POST",
          `/conversations/${convId}/members`,
          { userIds: [mallory.id] },
          mallory.accessToken,
        )
      ).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${nodeA}/healthz`)).status).toBe(200);
  });
});
