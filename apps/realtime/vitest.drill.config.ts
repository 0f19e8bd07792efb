// `npm run drill:cassandra` only (scripts/drill-cassandra.mjs starts the
// 3-node cluster first): the *.drill.ts files, never part of `npm test`.
import { relayProject } from "@relay/tooling/vitest";

export default relayProject({ test: { include: ["test/**/*.drill.ts"], testTimeout: 600_000 } });
