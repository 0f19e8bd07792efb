// The one bundle shape of every Node entry point (realtime, push, the web and
// admin front servers): ESM for Node 24, workspace packages (TypeScript
// source) bundled in, npm dependencies left external.
import { defineConfig } from "tsup";

export function nodeBundle(entry) {
  return defineConfig({
    entry,
    format: ["esm"],
    platform: "node",
    target: "node24",
    sourcemap: true,
    clean: true,
    noExternal: [/^@relay\//],
    external: [/^(?!@relay\/)[^./]/],
  });
}
