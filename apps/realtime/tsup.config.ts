import { nodeBundle } from "@relay/tooling/tsup";

export default nodeBundle(["src/index.ts"]);
