import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { CLIENT_EVENTS, CLIENT_RESULT_SCHEMAS, SERVER_EVENT_SCHEMAS } from "./protocol";
import { renderSocketEventsMarkdown } from "./protocol-doc";

const PAGE = path.resolve(import.meta.dirname, "../../../docs/socket-events.md");
const rendered = renderSocketEventsMarkdown();

/** The lines of one event's section, up to the next heading. */
function section(event: string): string {
  const start = rendered.indexOf(`### \`${event}\`\n`);
  if (start < 0) throw new Error(`no section for ${event}`);
  const end = rendered.indexOf("\n#", start + 1);
  return rendered.slice(start, end < 0 ? undefined : end);
}

describe("docs/socket-events.md", () => {
  it("is what renderSocketEventsMarkdown() renders (else run `npm run docs`)", () => {
    const committed = existsSync(PAGE) ? readFileSync(PAGE, "utf8") : "";
    expect(committed, "docs/socket-events.md is stale: run `npm run docs`").toBe(rendered);
  });

  it("is already formatted as Prettier would (so format:check stays clean)", async () => {
    const options = (await prettier.resolveConfig(PAGE)) ?? {};
    expect(await prettier.format(rendered, { ...options, filepath: PAGE })).toBe(rendered);
  });
});

describe("renderSocketEventsMarkdown", () => {
  it("has every event once, with its direction, payload and (when acked) ack data", () => {
    for (const event of CLIENT_EVENTS) {
      const text = section(event);
      expect(text).toContain("Client → server");
      expect(text).toContain("Payload:");
      expect(text.includes("Ack `data`:"), event).toBe(Object.hasOwn(CLIENT_RESULT_SCHEMAS, event));
    }
    for (const event of Object.keys(SERVER_EVENT_SCHEMAS)) {
      const text = section(event);
      expect(text).toContain("Server → client");
      expect(text).not.toContain("Ack `data`:");
    }
    const headings = rendered.match(/^### /gm) ?? [];
    expect(headings).toHaveLength(CLIENT_EVENTS.length + Object.keys(SERVER_EVENT_SCHEMAS).length);
  });

  it("renders client payloads strict and null acks as null", () => {
    expect(section("message:send")).toContain('"additionalProperties": false');
    expect(section("presence:set")).toMatch(/Ack `data`:\n\n```json\n\{\n {2}"type": "null"\n\}/);
    // Ack data and server payloads are open: v1 may add fields.
    expect(section("message:new")).not.toContain('"additionalProperties": false');
  });
});

describe("CLIENT_RESULT_SCHEMAS", () => {
  it("covers every client event except the volatile typing events", () => {
    expect(Object.keys(CLIENT_RESULT_SCHEMAS).sort()).toEqual(
      CLIENT_EVENTS.filter((e) => !e.startsWith("typing:")).sort(),
    );
  });

  it("accepts only null for presence:set and presence:unwatch", () => {
    expect(CLIENT_RESULT_SCHEMAS["presence:set"].safeParse(null).success).toBe(true);
    expect(CLIENT_RESULT_SCHEMAS["presence:unwatch"].safeParse({}).success).toBe(false);
  });
});
