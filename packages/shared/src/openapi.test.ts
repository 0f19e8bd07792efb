import Ajv2020 from "ajv/dist/2020";
import type { ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { OPENAPI_DOCUMENT_PATH, buildOpenApiDocument } from "./openapi";
import {
  ZAckErrorSchema,
  ZConversationListResponseSchema,
  ZCreateConversationRequestSchema,
  ZSignupRequestSchema,
} from "./schemas";

type TJsonSchema = Record<string, unknown>;
interface TMediaType {
  schema?: TJsonSchema;
}
interface TParameter {
  name: string;
  in: string;
  required?: boolean;
  schema: TJsonSchema;
}
interface TOperation {
  operationId?: string;
  security?: unknown[];
  parameters?: TParameter[];
  requestBody?: { required?: boolean; content: Record<string, TMediaType> };
  responses: Record<string, { content?: Record<string, TMediaType> }>;
}
interface TDoc {
  openapi: string;
  security?: unknown[];
  servers?: { url: string }[];
  paths: Record<string, Record<string, TOperation>>;
  components: {
    schemas: Record<string, TJsonSchema>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

// Round-tripped through JSON because that is what GET /api/v1/openapi.json serves.
const doc = JSON.parse(JSON.stringify(buildOpenApiDocument())) as TDoc;

const PUBLIC_ROUTES = [
  "POST /api/v1/auth/signup",
  "POST /api/v1/auth/token",
  "POST /api/v1/auth/refresh",
  `GET ${OPENAPI_DOCUMENT_PATH}`,
];
const AUTHED_ROUTES = [
  "GET /api/v1/auth/realtime-token",
  "GET /api/v1/users",
  "GET /api/v1/conversations",
  "POST /api/v1/conversations",
  "POST /api/v1/conversations/{id}/members",
  "DELETE /api/v1/conversations/{id}/members/{userId}",
  "POST /api/v1/conversations/{id}/leave",
  "PATCH /api/v1/conversations/{id}/settings",
  "GET /api/v1/conversations/{id}/messages",
  "POST /api/v1/devices",
  "DELETE /api/v1/devices/{id}",
  "GET /api/v1/me/push",
  "PATCH /api/v1/me/push",
  "POST /api/v1/me/sessions/revoke-all",
  "POST /api/v1/reports",
];

const METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];

function operations(): { route: string; path: string; op: TOperation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, path, op })),
  );
}

function operation(route: string): TOperation {
  const [method = "", path = ""] = route.split(" ");
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${route} is not in the document`);
  return op;
}

function jsonSchemaOf(media: Record<string, TMediaType> | undefined): TJsonSchema | undefined {
  return media?.["application/json"]?.schema;
}

/**
 * The document's schemas are compiled with their components alongside, so the
 * `#/components/schemas/…` refs resolve exactly as they do in the document;
 * `components` is declared as a (non-validating) keyword to keep strict mode on.
 */
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
ajv.addKeyword({ keyword: "components" });
const compile = (schema: TJsonSchema): ValidateFunction =>
  ajv.compile({ ...schema, components: doc.components });

function responseValidator(route: string, status: number): ValidateFunction {
  const schema = jsonSchemaOf(operation(route).responses[String(status)]?.content);
  if (!schema) throw new Error(`${route} documents no JSON body for ${status}`);
  return compile(schema);
}

function requestValidator(route: string): ValidateFunction {
  const schema = jsonSchemaOf(operation(route).requestBody?.content);
  if (!schema) throw new Error(`${route} documents no JSON request body`);
  return compile(schema);
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, out);
  else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") out.push(child);
      else refsIn(child, out);
    }
  }
  return out;
}

function resolvePointer(ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
const AT = "2025-01-02T03:04:05.678Z";

/** ajv (the document) and zod (the server) must agree on every sample. */
function expectAgreement(validate: ValidateFunction, schema: z.ZodType, sample: unknown) {
  const byDocument = validate(sample);
  expect(byDocument, JSON.stringify(sample)).toBe(schema.safeParse(sample).success);
  return byDocument;
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it("has exactly the REST v1 routes, with their methods", () => {
    expect(
      operations()
        .map((o) => o.route)
        .sort(),
    ).toEqual([...PUBLIC_ROUTES, ...AUTHED_ROUTES].sort());
  });

  it("declares every path template parameter as a required path parameter", () => {
    for (const { route, path, op } of operations()) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(declared.map((p) => p.name).sort(), route).toEqual(names.sort());
      for (const p of declared) expect(p.required, `${route} ${p.name}`).toBe(true);
    }
  });

  it("gives every operation a unique operationId and a success response", () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { route, op } of operations()) {
      expect(
        Object.keys(op.responses).some((s) => s.startsWith("2")),
        route,
      ).toBe(true);
    }
  });

  it("documents every error status with the shared error envelope", () => {
    for (const { route, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(jsonSchemaOf(response.content), `${route} ${status}`).toEqual({
          $ref: "#/components/schemas/Error",
        });
      }
    }
    // Spot checks of per-route statuses from docs/api.md.
    expect(Object.keys(operation("POST /api/v1/auth/signup").responses)).toEqual(
      expect.arrayContaining(["201", "400", "409", "413", "429", "500", "503"]),
    );
    expect(Object.keys(operation("POST /api/v1/conversations/{id}/members").responses)).toEqual(
      expect.arrayContaining(["200", "400", "401", "403", "404", "409", "413"]),
    );
    expect(Object.keys(operation("GET /api/v1/conversations/{id}/messages").responses)).toEqual(
      expect.arrayContaining(["200", "400", "401", "403", "500", "503"]),
    );
    expect(Object.keys(operation("DELETE /api/v1/devices/{id}").responses)).toEqual(
      expect.arrayContaining(["204", "404"]),
    );
  });

  it("requires a caller everywhere except sign-up, token, refresh and the document", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({
      type: "apiKey",
      in: "cookie",
      name: "authjs.session-token",
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    for (const route of PUBLIC_ROUTES) expect(operation(route).security, route).toEqual([]);
    for (const route of AUTHED_ROUTES) expect(operation(route).security, route).toBeUndefined();
  });

  it("names the main entities as components", () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["User", "Message", "ConversationSummary", "Device", "Error"]),
    );
    expect(jsonSchemaOf(operation("POST /api/v1/auth/token").responses["200"]?.content)).toEqual({
      $ref: "#/components/schemas/AuthTokens",
    });
  });

  it("resolves every $ref", () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) expect(resolvePointer(ref), ref).toBeDefined();
  });

  it("has a server only when asked", () => {
    expect(doc.servers).toBeUndefined();
    expect(buildOpenApiDocument({ serverUrl: "https://relay.example" }).servers).toEqual([
      { url: "https://relay.example" },
    ]);
  });
});

describe("the document's schemas under ajv (JSON Schema 2020-12)", () => {
  it("compile for every request body, parameter and response", () => {
    let compiled = 0;
    for (const { route, op } of operations()) {
      const body = jsonSchemaOf(op.requestBody?.content);
      if (body) expect(() => compile(body), `${route} body`).not.toThrow();
      for (const p of op.parameters ?? []) {
        expect(() => compile(p.schema), `${route} ${p.name}`).not.toThrow();
      }
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = jsonSchemaOf(response.content);
        if (!schema) continue;
        expect(() => compile(schema), `${route} ${status}`).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(operations().length);
  });

  it("sign-up: a valid body passes, unknown keys and short passwords fail", () => {
    const validate = requestValidator("POST /api/v1/auth/signup");
    const body = { email: "ann@example.com", password: "correct horse", name: "Ann" };
    expect(expectAgreement(validate, ZSignupRequestSchema, body)).toBe(true);
    expect(expectAgreement(validate, ZSignupRequestSchema, { ...body, admin: true })).toBe(false);
    expect(expectAgreement(validate, ZSignupRequestSchema, { ...body, password: "short" })).toBe(
      false,
    );
  });

  it("create conversation: either variant passes, a mixed or unknown one fails", () => {
    const validate = requestValidator("POST /api/v1/conversations");
    const s = ZCreateConversationRequestSchema;
    expect(expectAgreement(validate, s, { type: "direct", userId: uuid(1) })).toBe(true);
    expect(expectAgreement(validate, s, { type: "group", title: "T", memberIds: [uuid(2)] })).toBe(
      true,
    );
    expect(expectAgreement(validate, s, { type: "direct", userId: "not-a-uuid" })).toBe(false);
    expect(expectAgreement(validate, s, { type: "direct", userId: uuid(1), title: "T" })).toBe(
      false,
    );
    expect(expectAgreement(validate, s, { type: "channel", userId: uuid(1) })).toBe(false);
  });

  it("conversation list: a server-shaped body passes, a wrong one fails", () => {
    const validate = responseValidator("GET /api/v1/conversations", 200);
    const s = ZConversationListResponseSchema;
    const summary = {
      id: uuid(1),
      type: "direct",
      title: null,
      members: [{ userId: uuid(2), role: "OWNER", name: "Ann" }],
      lastMessage: {
        id: uuid(3),
        conversationId: uuid(1),
        seq: 1,
        senderId: uuid(2),
        body: "hi",
        kind: "text",
        createdAt: AT,
        editedAt: null,
        deleted: false,
      },
      lastSeq: 1,
      unread: 0,
      mutedUntil: null,
    };
    expect(expectAgreement(validate, s, { conversations: [summary] })).toBe(true);
    expect(expectAgreement(validate, s, { conversations: [{ ...summary, unread: -1 }] })).toBe(
      false,
    );
    expect(expectAgreement(validate, s, { conversations: [{ ...summary, lastSeq: "1" }] })).toBe(
      false,
    );
    // Responses may gain fields in v1 (entity schemas strip unknown keys), so extra keys pass.
    expect(expectAgreement(validate, s, { conversations: [{ ...summary, pinned: true }] })).toBe(
      true,
    );
  });

  it("errors: the envelope passes, an unknown code fails", () => {
    const validate = responseValidator("DELETE /api/v1/devices/{id}", 404);
    const err = { ok: false, error: { code: "NOT_FOUND", message: "device not found" } };
    expect(expectAgreement(validate, ZAckErrorSchema, err)).toBe(true);
    expect(
      expectAgreement(validate, ZAckErrorSchema, {
        ok: false,
        error: { code: "NOPE", message: "" },
      }),
    ).toBe(false);
    expect(expectAgreement(validate, ZAckErrorSchema, { ok: true, data: null })).toBe(false);
  });

  it("history query parameters are decimal strings", () => {
    const limit = operation("GET /api/v1/conversations/{id}/messages").parameters?.find(
      (p) => p.name === "limit",
    );
    if (!limit) throw new Error("no limit parameter");
    const validate = compile(limit.schema);
    expect(validate("50")).toBe(true);
    expect(validate("fifty")).toBe(false);
  });
});
