import { execFile } from "node:child_process";
import fs from "node:fs";
import postgres from "postgres";
import { sleep } from "./client";

/*
 * Restarting the PostgreSQL server the tests use (tests/support/db.ts: CLOSELINE_TEST_PG, or
 * the local server). By default that is the Debian cluster at 127.0.0.1:5432, restarted with
 * pg_ctlcluster in "fast" mode: open transactions are rolled back and every connection is
 * cut, as in a failover or an operator's restart. CLOSELINE_FAULT_PG_RESTART names another
 * shell command, e.g. for a private server while developing beside colleagues' test runs.
 */

const SERVER_URL = process.env.CLOSELINE_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** The command that restarts the server, or null when there is none we may run. */
export function postgresRestartCommand(): string | null {
  if (process.env.CLOSELINE_FAULT_PG_RESTART) return process.env.CLOSELINE_FAULT_PG_RESTART;
  // Another server was named without a way to restart it: never restart the local one instead.
  if (process.env.CLOSELINE_TEST_PG) return null;
  if (!fs.existsSync("/etc/postgresql")) return null;
  const version = fs
    .readdirSync("/etc/postgresql")
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
  return version
    ? `pg_ctlcluster --skip-systemctl-redirect --mode fast ${version} main restart`
    : null;
}

/** Restarts the server and resolves once it accepts connections again. */
export async function restartPostgres(): Promise<void> {
  const command = postgresRestartCommand();
  if (!command) throw new Error("No command to restart PostgreSQL (CLOSELINE_FAULT_PG_RESTART)");
  await new Promise<void>((resolve, reject) => {
    execFile("sh", ["-c", command], { timeout: 120_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`${command} failed: ${stderr || error.message}`)) : resolve(),
    );
  });
  if (!(await waitForPostgres(60_000)))
    throw new Error("PostgreSQL did not accept connections after the restart");
}

async function postgresIsUp(): Promise<boolean> {
  const client = postgres(SERVER_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await client`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await client.end({ timeout: 1 }).catch(() => {});
  }
}

async function waitForPostgres(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await postgresIsUp()) return true;
    if (Date.now() > deadline) return false;
    await sleep(250);
  }
}

/**
 * For a test's `finally`: whatever happened, leave the server running for the tests after
 * this one (and for anyone else on the machine). Restarts it once more if it is still down.
 */
export async function ensurePostgresUp(): Promise<void> {
  if (await waitForPostgres(15_000)) return;
  await restartPostgres();
}
