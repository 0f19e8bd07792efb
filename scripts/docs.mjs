#!/usr/bin/env node
// npm run docs: regenerate the pages that are rendered from code, today
// docs/socket-events.md from the shared zod schemas
// (packages/shared/src/protocol-doc.ts). packages/shared/src/protocol-doc.test.ts
// fails while the committed page is stale.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { tsImport } from "tsx/esm/api";
import { root } from "./lib/paths.mjs";
import { log } from "./lib/proc.mjs";

const { renderSocketEventsMarkdown } = await tsImport(
  "../packages/shared/src/protocol-doc.ts",
  import.meta.url,
);
const file = path.join(root, "docs/socket-events.md");
writeFileSync(file, renderSocketEventsMarkdown());
log(`wrote ${path.relative(root, file)}`);
