import fs from "node:fs";
import postgres from "postgres";
import { databaseName, e2eDataDir, e2eDatabaseUrl, e2eServerUrl } from "./fixtures/server";

/**
 * Drops the run's database and removes its embedded-database folder (scripts/e2e-server.ts
 * made both; it removes the folder too once its server has stopped, which is after this runs).
 * It runs before Playwright stops the web servers, hence WITH (FORCE).
 * CLOSELINE_E2E_KEEP_DB=1 keeps both for a look.
 */
export default async function globalTeardown(): Promise<void> {
  const name = databaseName(e2eDatabaseUrl());
  const dataDir = e2eDataDir();
  if (process.env.CLOSELINE_E2E_KEEP_DB === "1") {
    console.log(`e2e: kept database ${name} and embedded database ${dataDir}`);
    return;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  const admin = postgres(e2eServerUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
