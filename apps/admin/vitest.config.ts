import { relayProject } from "@relay/tooling/vitest";

export default relayProject({
  test: {
    // What next.config.ts's experimental.authInterrupts sets in the build:
    // forbidden() (requireStaff's 403) works outside `next build` too.
    env: { __NEXT_EXPERIMENTAL_AUTH_INTERRUPTS: "true" },
    // next-auth imports "next/server" and "next/headers" without an extension,
    // which only a bundler resolves: let Vite transform it (as Next.js does).
    server: { deps: { inline: ["next-auth"] } },
  },
});
