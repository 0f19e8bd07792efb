import { defineConfig } from "tsup";

// ESM bundles for Node: the worker and the dead-letter CLI; workspace packages
// (TypeScript source) are bundled in, npm dependencies stay external.
export default defineConfig({
  entry: ["src/index.ts", "src/dlq.ts"],
  format: ["esm"],
  platform: "node",
  target: "node24",
  sourcemap: true,
  clean: true,
  noExternal: [/^@relay\//],
  external: [/^(?!@relay\/)[^./]/],
});
