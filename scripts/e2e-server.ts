/**
 * The web servers Playwright starts for the e2e suite (playwright.config.ts → webServer): one
 * production build into .next-e2e, served by two `next start`s, demo off:
 *
 *   postgres  127.0.0.1:3100 (CLOSELINE_E2E_PORT)      on the run's fresh PostgreSQL database
 *   pglite    127.0.0.1:3101 (CLOSELINE_E2E_PORT + 1)  on the embedded database in the run's
 *             fresh folder, with its socket on for the fixtures (CLOSELINE_PGLITE_SOCKET)
 *
 * Playwright waits for the line this script prints once both of its servers answer
 * /api/health. Each server's output is prefixed with its project's name.
 *
 *   CLOSELINE_E2E_DATABASE_URL  the fresh database to create and serve from (set by the config)
 *   CLOSELINE_E2E_DATA_DIR      the fresh embedded-database folder (set by the config); removed
 *                               when its server has stopped, unless CLOSELINE_E2E_KEEP_DB=1
 *   CLOSELINE_E2E_SKIP_BUILD=1  serve the existing .next-e2e build (for iterating on specs)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { isDeepStrictEqual } from "node:util";
import postgres from "postgres";
import {
  E2E_DATABASES,
  E2E_DIST_DIR,
  E2E_READY_LINE,
  databaseName,
  e2eBaseUrl,
  e2eDataDir,
  e2eDatabaseUrl,
  e2ePort,
  e2eServerUrl,
  type E2eDatabase,
} from "../e2e/fixtures/server";
import { portIsFree } from "./support/port";

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, "node_modules", ".bin", "next");

/**
 * `next build` adds its folder's type globs to tsconfig.json and points next-env.d.ts at its
 * folder. Those edits concern this private build, not the project, so they are taken out
 * again (as the bench does, bench/support/next-server.ts). Other builds in the tree may
 * edit tsconfig.json at the same time, so only our globs are removed — whenever they are
 * there, even if they were there before this build began.
 */
const TSCONFIG = path.join(ROOT, "tsconfig.json");
const NEXT_ENV = path.join(ROOT, "next-env.d.ts");

type TsConfig = { include?: string[] } & Record<string, unknown>;

const isOurGlob = (glob: string) => glob.startsWith(`${E2E_DIST_DIR}/`);

function removeBuildGlobs(before: Buffer): void {
  let original: TsConfig;
  let current: TsConfig;
  try {
    original = JSON.parse(before.toString("utf8")) as TsConfig;
    current = JSON.parse(fs.readFileSync(TSCONFIG, "utf8")) as TsConfig;
  } catch {
    log("tsconfig.json is not plain JSON; left as it is");
    return;
  }
  if (!current.include?.some(isOurGlob)) return;
  current.include = current.include.filter((glob) => !isOurGlob(glob));
  // Nothing else changed: put the original bytes back, formatting and all.
  const originalIsClean = !original.include?.some(isOurGlob);
  if (originalIsClean && isDeepStrictEqual(original, current)) fs.writeFileSync(TSCONFIG, before);
  else fs.writeFileSync(TSCONFIG, `${JSON.stringify(current, null, 2)}\n`);
}

function log(message: string) {
  console.log(`[e2e-server] ${message}`);
}

async function createDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Refusing to create database "${name}"`);
  const admin = postgres(e2eServerUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
    log(`created database ${name}`);
  } catch (error) {
    // 42P04: a restarted server keeps the database its run already made.
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, { env, stdio: ["ignore", "inherit", "inherit"] });
}

/** Runs a server whose every output line names its project, so failures say which one. */
function runServer(database: E2eDatabase, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(NEXT_BIN, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (!stream) continue;
    readline
      .createInterface({ input: stream, crlfDelay: Infinity })
      .on("line", (line) => out.write(`[${database}] ${line}\n`));
  }
  return child;
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function build(env: NodeJS.ProcessEnv): Promise<void> {
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file) : null);
  const tsconfig = read(TSCONFIG);
  const nextEnv = read(NEXT_ENV);
  log(`next build → ${E2E_DIST_DIR}`);
  try {
    const code = await exitCode(run(NEXT_BIN, ["build"], env));
    if (code !== 0) throw new Error(`next build failed (exit ${code})`);
  } finally {
    if (tsconfig) removeBuildGlobs(tsconfig);
    // Generated and git-ignored, but `tsc` reads it: it must not point into .next-e2e.
    if (nextEnv === null) fs.rmSync(NEXT_ENV, { force: true });
    else if (!read(NEXT_ENV)?.equals(nextEnv)) fs.writeFileSync(NEXT_ENV, nextEnv);
  }
}

/*
 * Another suite's server on our port would answer /api/health from another database, and
 * every key a spec seeds would be refused. So the port must be free before we build and
 * again before we listen, and readiness is announced by this script (E2E_READY_LINE) only
 * while its own `next start` is alive, not inferred from whoever answers on the port.
 */
async function assertPortsFree(): Promise<void> {
  for (const database of E2E_DATABASES) {
    const port = e2ePort(database);
    if (!(await portIsFree(port))) {
      throw new Error(
        `127.0.0.1:${port} (${database}) is in use, probably by another e2e run; wait for it ` +
          `or set CLOSELINE_E2E_PORT to a free port in 3100-3198 (it and the next one are used)`,
      );
    }
  }
}

const running = (server: ChildProcess) => server.exitCode === null && server.signalCode === null;

/** Resolves once the server answers /api/health, or with false once it has exited. */
async function healthy(database: E2eDatabase, server: ChildProcess): Promise<boolean> {
  while (running(server)) {
    try {
      const res = await fetch(`${e2eBaseUrl(database)}/api/health`);
      if (res.ok && running(server)) {
        log(`${database} ready on ${e2eBaseUrl(database)}`);
        return true;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** What each project's server runs on, on top of the environment they share. */
function serverEnv(database: E2eDatabase, shared: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const port = String(e2ePort(database));
  const own: Record<string, string> =
    database === "postgres"
      ? { DATABASE_URL: e2eDatabaseUrl() }
      : {
          // Empty, not absent: a DATABASE_URL in a developer's .env must not take its place
          // (Next.js loads .env files only into variables that are not set; lib/env.ts reads
          // an empty one as unset).
          DATABASE_URL: "",
          CLOSELINE_DATA_DIR: e2eDataDir(),
          // The fixtures seed the embedded database through its socket (e2e/fixtures/database.ts).
          CLOSELINE_PGLITE_SOCKET: "on",
        };
  return { ...shared, ...own, PORT: port, NEXTAUTH_URL: `http://127.0.0.1:${port}` };
}

function removeDataDir(): void {
  if (process.env.CLOSELINE_E2E_KEEP_DB === "1") return;
  fs.rmSync(e2eDataDir(), { recursive: true, force: true });
}

async function main(): Promise<void> {
  await assertPortsFree();
  await createDatabase(e2eDatabaseUrl());
  fs.mkdirSync(e2eDataDir(), { recursive: true });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: E2E_DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    CLOSELINE_DEMO: "off",
    // Production refuses to start without a session secret; e2e sessions live for one run.
    AUTH_SECRET: process.env.AUTH_SECRET ?? randomBytes(32).toString("base64url"),
  };

  if (
    process.env.CLOSELINE_E2E_SKIP_BUILD === "1" &&
    fs.existsSync(path.join(E2E_DIST_DIR, "BUILD_ID"))
  ) {
    log(`serving the existing build in ${E2E_DIST_DIR}`);
  } else {
    // One build for both servers: it reads its database from the environment at run time.
    // Types are `npm run lint`'s job, which runs before e2e in scripts/test.sh.
    await build({ ...env, NEXT_SKIP_TYPECHECK: "1" });
  }

  await assertPortsFree();
  const servers = E2E_DATABASES.map((database) => {
    const port = String(e2ePort(database));
    log(`next start on 127.0.0.1:${port} (${database})`);
    const server = runServer(
      database,
      ["start", "--port", port, "--hostname", "127.0.0.1"],
      serverEnv(database, env),
    );
    return { database, server, exited: exitCode(server) };
  });
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const { server } of servers) if (running(server)) server.kill(signal);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stopAll(signal));
  // One server gone on its own means its project's tests cannot run: stop the other, and fail.
  const firstExit = Promise.race(
    servers.map(({ database, exited }) => exited.then((code) => ({ database, code }))),
  );
  void firstExit.then(({ database, code }) => {
    if (stopping) return;
    log(`the ${database} server stopped (exit ${code}); stopping the others`);
    stopAll("SIGTERM");
  });

  const ready = await Promise.all(servers.map(({ database, server }) => healthy(database, server)));
  if (ready.every(Boolean)) console.log(E2E_READY_LINE);

  const codes = await Promise.all(servers.map(({ exited }) => exited));
  removeDataDir();
  process.exitCode = codes.find((code) => code !== 0) ?? 0;
}

main().catch((error: unknown) => {
  console.error("[e2e-server]", error instanceof Error ? error.message : error);
  process.exit(1);
});
