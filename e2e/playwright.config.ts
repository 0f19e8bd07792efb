import { defineConfig } from "@playwright/test";

// The stack (web + two realtime nodes on the test stores) is started by
// global-setup.ts; scripts/test.mjs provides the test env. Chromium is
// Debian's (/usr/bin/chromium): Playwright never downloads browsers here.
export default defineConfig({
  testDir: "./tests",
  outputDir: "../test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "../test-results/e2e-results.json" }]],
  globalSetup: "./global-setup.ts",
  use: {
    baseURL: process.env.E2E_WEB_URL ?? "http://127.0.0.1:3100",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
