// The one Vitest project preset: every workspace's vitest.config.ts is
// `export default relayProject()` (plus its own overrides), and the root
// vitest.config.ts runs them all in one process.
import { defineProject, mergeConfig } from "vitest/config";

/** Unit tests (`*.test.ts`) and tests against the real stores (`*.integration.test.ts`). */
const base = {
  resolve: { tsconfigPaths: true },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
};

/**
 * The preset with `overrides` merged in; an `include` given here replaces the
 * preset's (mergeConfig would concatenate the lists).
 * @param {import("vitest/config").UserWorkspaceConfig} [overrides]
 */
export function relayProject(overrides = {}) {
  const merged = mergeConfig(base, overrides);
  if (overrides.test?.include) merged.test.include = overrides.test.include;
  return defineProject(merged);
}
