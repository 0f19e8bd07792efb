/**
 * docs/socket-events.md, rendered from the schemas the servers validate with
 * (CLIENT_PAYLOAD_SCHEMAS, CLIENT_RESULT_SCHEMAS, SERVER_EVENT_SCHEMAS), so
 * the page cannot drift from the code. `npm run docs` writes it; a test
 * fails when the committed page is stale.
 */
import { z } from "zod";
import { CLIENT_PAYLOAD_SCHEMAS, CLIENT_RESULT_SCHEMAS, SERVER_EVENT_SCHEMAS } from "./protocol";
import type { TAckedClientEventName, TClientEventName } from "./protocol";
import { ZAckErrorSchema } from "./schemas";

/**
 * Plain (stripping) object schemas are rendered open even as output (zod
 * closes them): servers may add fields within v1, so a client validating
 * against this page must not reject them. Strict payload schemas stay closed.
 */
const openPlainObjects: NonNullable<z.core.ToJSONSchemaParams["override"]> = (ctx) => {
  const def = ctx.zodSchema._zod.def;
  if (def.type === "object" && def.catchall === undefined)
    delete ctx.jsonSchema.additionalProperties;
};

/** Payloads as the receiver accepts them ("input"); ack data as the server sends it ("output"). */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): string {
  const rendered = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    ...(io === "output" ? { override: openPlainObjects } : {}),
  });
  // Stated once at the top of the page instead of in every block.
  delete rendered.$schema;
  return ["```json", printJson(rendered, "", 0, 0), "```"].join("\n");
}

/** Anything without a non-empty object (Prettier keeps objects expanded) may go on one line. */
function isFlat(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isFlat);
  return value === null || typeof value !== "object" || Object.keys(value).length === 0;
}

function flatJson(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(flatJson).join(", ")}]` : JSON.stringify(value);
}

/** The repo's Prettier printWidth (.prettierrc.json). */
const PRINT_WIDTH = 100;

/**
 * JSON laid out the way Prettier formats JSON code blocks in Markdown (objects
 * expanded, arrays without objects on one line when they fit), so the page is
 * stable under `npm run format:check` and the staleness test can compare it
 * byte for byte (JSON.stringify's layout would be reformatted).
 */
function printJson(value: unknown, indent: string, prefix: number, suffix: number): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items: unknown[] = value;
    if (isFlat(items)) {
      const flat = flatJson(items);
      if (prefix + flat.length + suffix <= PRINT_WIDTH) return flat;
    }
    const lines = items.map(
      (v, i) => inner + printJson(v, inner, inner.length, i < items.length - 1 ? 1 : 0),
    );
    return `[\n${lines.join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([key, v], i) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return head + printJson(v, inner, head.length, i < entries.length - 1 ? 1 : 0);
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function isAcked(event: TClientEventName): event is TAckedClientEventName {
  return Object.hasOwn(CLIENT_RESULT_SCHEMAS, event);
}

function clientEventSection(event: TClientEventName): string {
  const lines = [
    `### \`${event}\``,
    "",
    isAcked(event)
      ? "Client → server, acked."
      : "Client → server, volatile: no ack (dropped rather than queued when the client is slow).",
    "",
    "Payload:",
    "",
    jsonSchema(CLIENT_PAYLOAD_SCHEMAS[event], "input"),
    "",
  ];
  if (isAcked(event)) {
    lines.push("Ack `data`:", "", jsonSchema(CLIENT_RESULT_SCHEMAS[event], "output"), "");
  }
  return lines.join("\n");
}

function serverEventSection(event: keyof typeof SERVER_EVENT_SCHEMAS): string {
  return [
    `### \`${event}\``,
    "",
    "Server → client, no ack.",
    "",
    "Payload:",
    "",
    jsonSchema(SERVER_EVENT_SCHEMAS[event], "input"),
    "",
  ].join("\n");
}

/** The whole page (Markdown); `npm run docs` formats it with the repo's Prettier config and writes it. */
export function renderSocketEventsMarkdown(): string {
  const clientEvents = Object.keys(CLIENT_PAYLOAD_SCHEMAS) as TClientEventName[];
  const serverEvents = Object.keys(SERVER_EVENT_SCHEMAS) as (keyof typeof SERVER_EVENT_SCHEMAS)[];
  return [
    "# Socket events",
    "",
    "<!-- Generated from packages/shared (protocol.ts, schemas.ts) by `npm run docs`; do not edit. -->",
    "",
    "Every Socket.IO event of protocol v1 with its payload and ack data as JSON Schema",
    "(draft 2020-12), generated from the zod schemas the servers validate with. Payload",
    "schemas describe what the receiver accepts; client payloads are strict (unknown keys",
    "are rejected), while server payloads and ack data may gain fields within v1. Who",
    "receives what, ordering and retries are in [protocol.md](protocol.md).",
    "",
    "Every ack is the envelope `{ ok: true, data }` or the error below; the sections list",
    "`data`.",
    "",
    jsonSchema(ZAckErrorSchema, "output"),
    "",
    "## Client → server",
    "",
    ...clientEvents.map(clientEventSection),
    "## Server → client",
    "",
    ...serverEvents.map(serverEventSection),
  ].join("\n");
}
