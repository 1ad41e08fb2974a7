/**
 * The web server Playwright starts for the e2e suite (playwright.config.ts → webServer):
 * creates the run's fresh database, builds the app for production into .next-e2e and serves
 * it with `next start` on 127.0.0.1:3100 (CLOSELINE_E2E_PORT), demo off. Playwright waits for
 * the line this script prints once its own server answers /api/health.
 *
 *   DATABASE_URL            the fresh database to create and serve from (set by the config)
 *   CLOSELINE_E2E_SKIP_BUILD=1  serve the existing .next-e2e build (for iterating on specs)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import postgres from "postgres";
import {
  E2E_BASE_URL,
  E2E_DIST_DIR,
  E2E_PORT,
  E2E_READY_LINE,
  databaseName,
  e2eServerUrl,
} from "../e2e/fixtures/server";

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

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/*
 * Another suite's server on our port would answer /api/health from another database, and
 * every key a spec seeds would be refused. So the port must be free before we build and
 * again before we listen, and readiness is announced by this script (E2E_READY_LINE) only
 * while its own `next start` is alive, not inferred from whoever answers on the port.
 */
async function assertPortFree(): Promise<void> {
  if (await portInUse(E2E_PORT)) {
    throw new Error(
      `127.0.0.1:${E2E_PORT} is in use, probably by another e2e run; ` +
        `wait for it or set CLOSELINE_E2E_PORT to a free port in 3100-3199`,
    );
  }
}

async function announceWhenHealthy(server: ChildProcess): Promise<void> {
  while (server.exitCode === null && server.signalCode === null) {
    try {
      const res = await fetch(`${E2E_BASE_URL}/api/health`);
      if (res.ok && server.exitCode === null) {
        log(`ready on ${E2E_BASE_URL}`);
        console.log(E2E_READY_LINE);
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is unset; start the e2e suite with playwright");
  await assertPortFree();
  await createDatabase(databaseUrl);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: E2E_DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    CLOSELINE_DEMO: "off",
    PORT: String(E2E_PORT),
    // Production refuses to start without a session secret; e2e sessions live for one run.
    AUTH_SECRET: process.env.AUTH_SECRET ?? randomBytes(32).toString("base64url"),
    NEXTAUTH_URL: `http://127.0.0.1:${E2E_PORT}`,
  };

  if (
    process.env.CLOSELINE_E2E_SKIP_BUILD === "1" &&
    fs.existsSync(path.join(E2E_DIST_DIR, "BUILD_ID"))
  ) {
    log(`serving the existing build in ${E2E_DIST_DIR}`);
  } else {
    // Types are `npm run lint`'s job, which runs before e2e in scripts/test.sh.
    await build({ ...env, NEXT_SKIP_TYPECHECK: "1" });
  }

  await assertPortFree();
  log(`next start on 127.0.0.1:${E2E_PORT}`);
  const server = run(
    NEXT_BIN,
    ["start", "--port", String(E2E_PORT), "--hostname", "127.0.0.1"],
    env,
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => server.kill(signal));
  }
  const exited = exitCode(server);
  await announceWhenHealthy(server);
  process.exitCode = await exited;
}

main().catch((error: unknown) => {
  console.error("[e2e-server]", error instanceof Error ? error.message : error);
  process.exit(1);
});
