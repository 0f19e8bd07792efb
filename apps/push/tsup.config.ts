import { nodeBundle } from "@relay/tooling/tsup";

// The worker and the dead-letter CLI.
export default nodeBundle(["src/index.ts", "src/dlq.ts"]);
