import { relayProject } from "@relay/tooling/vitest";

// next-auth imports "next/server" without an extension, which Node's ESM
// resolver refuses; let Vite resolve it (tests call next-auth's handlers).
export default relayProject({ test: { server: { deps: { inline: ["next-auth"] } } } });
