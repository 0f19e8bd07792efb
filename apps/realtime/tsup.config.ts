import { defineConfig } from "tsup";

// One ESM bundle for Node; workspace packages (TypeScript source) are bundled
// in, npm dependencies stay external.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  platform: "node",
  target: "node24",
  sourcemap: true,
  clean: true,
  noExternal: [/^@relay\//],
  external: [/^(?!@relay\/)[^./]/],
});
