import { randomBytes } from "node:crypto";
import { defineConfig, devices } from "@playwright/test";
import type { E2eWorkerFixtures } from "./e2e/fixtures";
import {
  E2E_READY_LINE,
  e2eBaseUrl,
  ensureE2eDataDir,
  ensureE2eDatabaseUrl,
} from "./e2e/fixtures/server";

/*
 * End-to-end: the production build on each database Closeline runs on, a fresh PostgreSQL
 * database (project "postgres") and a fresh embedded one (project "pglite"), driven by
 * Debian's Chromium (CI cannot download Playwright's browsers). The config is evaluated by the
 * runner and again by every worker; the database URL and the embedded folder are named once
 * and shared through the environment, which workers inherit (e2e/fixtures/server.ts).
 * `--project=postgres` or `--project=pglite` runs one of them.
 */

const databaseUrl = ensureE2eDatabaseUrl();
const dataDir = ensureE2eDataDir();
// One AUTH_SECRET for the server and the workers, named once like the database: a spec that
// stores a webhook endpoint itself seals its secret with a key derived from it
// (lib/secret-box.ts), and the server must open it with the same key.
process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
const isCI = !!process.env.CI;

const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  },
};

export default defineConfig<object, E2eWorkerFixtures>({
  testDir: "e2e",
  // Maps the server-only marker of db/ to an empty module, as vitest does (tsconfig.e2e.json).
  tsconfig: "./tsconfig.e2e.json",
  outputDir: "test-results/e2e",
  // Journeys share one server and database per project; two workers fit this machine's two
  // cores, and take the files of both projects as they come.
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
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "postgres",
      use: { ...chromium, baseURL: e2eBaseUrl("postgres"), database: "postgres" },
    },
    {
      name: "pglite",
      use: { ...chromium, baseURL: e2eBaseUrl("pglite"), database: "pglite" },
      // The whole suite on PostgreSQL, and on the embedded database the journeys where the
      // engine makes a difference a user would see: signing in (sessions and lockout live in
      // the database), every page as every role, the two-person correction flow with its
      // transactions and close check, ingestion over HTTP, a script's day through the API
      // (every answer held to the document), and the same work clicked and scripted. Twice
      // the whole suite would not fit CI's time on two cores.
      testMatch: [
        "api-contract.spec.ts",
        "auth.spec.ts",
        "every-page.spec.ts",
        "corrections.spec.ts",
        "ingestion.spec.ts",
        "not-found.spec.ts",
        // Search reads indexes each engine plans for itself.
        "thread.spec.ts",
        // The same steps clicked and scripted end in the same state on either engine.
        "ui-api-parity.spec.ts",
      ],
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
    env: {
      CLOSELINE_E2E_DATABASE_URL: databaseUrl,
      CLOSELINE_E2E_DATA_DIR: dataDir,
      AUTH_SECRET: process.env.AUTH_SECRET,
      // E-mail digests and channels are accepted only with an SMTP server set; nothing listens
      // here, so nothing is delivered: the specs check what is stored and shown.
      SMTP_URL: "smtp://127.0.0.1:1",
    },
  },
});
