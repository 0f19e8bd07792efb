import { defineProject } from "vitest/config";

// Smoke tests of the built apps as `npm start` runs them (production builds).
export default defineProject({
  test: {
    name: "apps",
    include: ["*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
