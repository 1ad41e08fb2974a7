import { randomBytes } from "node:crypto";
import { defineConfig, devices } from "@playwright/test";
import { E2E_BASE_URL, E2E_READY_LINE, ensureE2eDatabaseUrl } from "./e2e/fixtures/server";

/*
 * End-to-end: the production build on a fresh PostgreSQL database, driven by Debian's
 * Chromium (CI cannot download Playwright's browsers). The config is evaluated by the runner
 * and again by every worker; the database URL is named once and shared through the
 * environment, which workers inherit (e2e/fixtures/server.ts).
 */

const databaseUrl = ensureE2eDatabaseUrl();
// One AUTH_SECRET for the server and the workers, named once like the database: a spec that
// stores a webhook endpoint itself seals its secret with a key derived from it
// (lib/secret-box.ts), and the server must open it with the same key.
process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
const isCI = !!process.env.CI;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  // Journeys share one server and database; two workers fit this machine's two cores.
  workers: 2,
  fullyParallel: false,
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  // Sign-in hashes with bcrypt cost 12 on purpose; a hook that signs in several roles on a
  // busy two-core runner needs more than Playwright's default 30 s.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: isCI ? [["list"], ["html", { open: "never" }]] : "list",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: E2E_BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        },
      },
    },
  ],
  webServer: {
    command: "node_modules/.bin/tsx scripts/e2e-server.ts",
    // Not `url`: any server on the port would satisfy that, including another run's on
    // another database. The script checks the port itself and says when its server is up.
    wait: { stdout: new RegExp(E2E_READY_LINE.replace(/[[\]]/g, "\\$&")) },
    // A cold production build on two cores takes a few minutes.
    timeout: 10 * 60_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: { DATABASE_URL: databaseUrl, AUTH_SECRET: process.env.AUTH_SECRET },
  },
});
