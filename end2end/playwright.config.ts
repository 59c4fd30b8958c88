import { defineConfig, devices } from "@playwright/test";

// The server is started by scripts/test.sh on a free port with a fresh
// database and passed in as BASE_URL. Browsers cannot be downloaded here, so
// Debian's Chromium is used.
const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  testDir: "./tests",
  // Journeys with several axe scans and screenshots take 25–30 s here;
  // a slower CI machine must not fail them on time alone.
  timeout: 60_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  // The JSON report lets scripts/test.sh repeat each failure's message at
  // the very end of its output, where a CI log's tail shows it.
  reporter: [["list"], ["json", { outputFile: "test-results/report.json" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
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
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], channel: undefined } },
  ],
});
