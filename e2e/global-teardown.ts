import postgres from "postgres";
import { databaseName, e2eDatabaseUrl, e2eServerUrl } from "./fixtures/server";

/**
 * Drops the run's database (scripts/e2e-server.ts created it). It runs before Playwright
 * stops the web server, hence WITH (FORCE). CLOSELINE_E2E_KEEP_DB=1 keeps it for a look.
 */
export default async function globalTeardown(): Promise<void> {
  const name = databaseName(e2eDatabaseUrl());
  if (process.env.CLOSELINE_E2E_KEEP_DB === "1") {
    console.log(`e2e: kept database ${name}`);
    return;
  }
  const admin = postgres(e2eServerUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
