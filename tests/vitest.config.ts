import { relayProject } from "@relay/tooling/vitest";

// Smoke tests of the built apps as `npm start` runs them (production builds),
// and the contract walkthrough against them.
export default relayProject({
  test: {
    name: "apps",
    include: ["*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
