import { nodeBundle } from "@relay/tooling/tsup";

// server.ts → dist/server.js (Next.js builds the app itself into .next).
export default nodeBundle(["server.ts"]);
