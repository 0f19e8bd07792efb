import { defineConfig } from "vitest/config";

// One run over every workspace; scripts/test.mjs provisions services and the
// test env first. Integration tests share the test database and keyspace and
// isolate themselves with fresh ids, so files may run in parallel.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "prisma", "tests"],
  },
});
