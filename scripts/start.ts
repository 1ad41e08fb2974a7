/**
 * `npm start`: builds Closeline for production when needed, starts it, and — unless
 * CLOSELINE_DEMO=off — feeds it with the demo simulator (60 days of history, replayed by the
 * server itself, then live events through the API).
 *
 *   PORT                 where to listen (default 3000)
 *   DATABASE_URL         real PostgreSQL; unset = the embedded PGlite in CLOSELINE_DATA_DIR
 *   CLOSELINE_DEMO=off   no simulator, no demo data
 *   CLOSELINE_DEMO_SEED  the simulator's seed (default 42)
 *   NEXT_DIST_DIR        the build folder (default .next)
 *
 * The launcher never opens the database: the embedded PGlite admits one process, the
 * server. The simulator reaches the server through the public API with a key generated for
 * this run, which the server registers at startup (lib/server/demo.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseEnv, type Env } from "@/lib/env";
import { generateWebhookSecret } from "@/lib/outbox/signature";
import { startDemoReceiver } from "@/lib/simulator/receiver";
import { runSimulator } from "@/lib/simulator/runner";
import { portIsFree } from "./support/port";

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, "node_modules", ".bin", "next");
const BACKFILL_DAYS = 60;
const LIVE_INTERVAL_MS = 5_000;
const HEALTH_TIMEOUT_MS = 180_000;

/** What the production build is made from; a change to any of these triggers a rebuild. */
const BUILD_INPUTS = [
  "app",
  "components",
  "db",
  "lib",
  "public",
  "instrumentation.ts",
  "middleware.ts",
  "proxy.ts",
  "next.config.js",
  "package.json",
  "package-lock.json",
];
const BUILD_STAMP = "closeline-build-stamp.json";

const log = (line: string) => console.log(`[closeline] ${line}`);

/** Children still running, so a signal can be passed on to each. */
const children = new Set<ChildProcess>();
const simulator = new AbortController();
let stopping = false;

function spawnGroup(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // Its own process group, so a signal reaches Next's workers too (see forward()).
  const child = spawn(NEXT_BIN, args, {
    env,
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? 1);
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 0)));
  });
}

function forward(signal: NodeJS.Signals) {
  for (const child of children) {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  }
}

async function shutdown(signal: NodeJS.Signals): Promise<never> {
  // npm and tsx may pass the terminal's Ctrl-C on once more; one shutdown is enough.
  if (stopping) return new Promise<never>(() => {});
  stopping = true;
  log(`${signal}: stopping…`);
  simulator.abort();
  forward(signal);
  const killer = setTimeout(() => forward("SIGKILL"), 15_000);
  await Promise.all([...children].map(exited));
  clearTimeout(killer);
  process.exit(0);
}

// --- Build -------------------------------------------------------------------------------

/** Paths, sizes and modification times of every build input: any edit, addition or deletion changes it. */
function sourceFingerprint(): string {
  const hash = createHash("sha256");
  const visit = (relative: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path.join(ROOT, relative));
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(path.join(ROOT, relative)).sort()) {
        if (child === "node_modules" || child.startsWith(".")) continue;
        visit(path.join(relative, child));
      }
    } else {
      hash.update(`${relative}\u0000${stat.size}\u0000${stat.mtimeMs}\n`);
    }
  };
  BUILD_INPUTS.forEach(visit);
  return hash.digest("hex");
}

function readIfExists(file: string): Buffer | null {
  return fs.existsSync(file) ? fs.readFileSync(file) : null;
}

/** tsconfig.json differs from `before` only by the type globs `next build` adds for its folder. */
function onlyBuildGlobsAdded(before: Buffer, after: Buffer, distDir: string): boolean {
  try {
    const original = JSON.parse(before.toString("utf8")) as unknown;
    const rewritten = JSON.parse(after.toString("utf8")) as { include?: string[] };
    rewritten.include = rewritten.include?.filter((glob) => !glob.startsWith(`${distDir}/`));
    return isDeepStrictEqual(original, rewritten);
  } catch {
    return false;
  }
}

async function buildIfNeeded(distDir: string): Promise<void> {
  const stampFile = path.join(ROOT, distDir, BUILD_STAMP);
  const fingerprint = sourceFingerprint();
  const built =
    fs.existsSync(path.join(ROOT, distDir, "BUILD_ID")) &&
    readIfExists(stampFile)?.toString("utf8") === JSON.stringify({ fingerprint });
  if (built) {
    log(`production build in ${distDir} is up to date`);
    return;
  }
  log(`building for production into ${distDir} (next build; a few minutes the first time) …`);
  // `next build` points tsconfig.json and next-env.d.ts at its folder; for a private folder
  // those edits are put back, as the bench and the e2e server do.
  const tsconfigPath = path.join(ROOT, "tsconfig.json");
  const nextEnvPath = path.join(ROOT, "next-env.d.ts");
  const tsconfig = readIfExists(tsconfigPath);
  const nextEnv = readIfExists(nextEnvPath);
  try {
    const code = await exited(
      spawnGroup(["build"], {
        ...process.env,
        NODE_ENV: "production",
        NEXT_DIST_DIR: distDir,
        NEXT_TELEMETRY_DISABLED: "1",
        // Types are `npm run lint`'s job; starting the product should not repeat it.
        NEXT_SKIP_TYPECHECK: "1",
      }),
    );
    if (stopping) await new Promise(() => {}); // shutdown() exits the process
    if (code !== 0) throw new Error(`next build failed (exit ${code})`);
    fs.writeFileSync(stampFile, JSON.stringify({ fingerprint }));
  } finally {
    if (distDir !== ".next") {
      const tsconfigNow = readIfExists(tsconfigPath);
      if (tsconfig && tsconfigNow && !tsconfigNow.equals(tsconfig)) {
        if (onlyBuildGlobsAdded(tsconfig, tsconfigNow, distDir))
          fs.writeFileSync(tsconfigPath, tsconfig);
      }
      if (nextEnv && !readIfExists(nextEnvPath)?.equals(nextEnv))
        fs.writeFileSync(nextEnvPath, nextEnv);
    }
  }
}

// --- Serve -------------------------------------------------------------------------------

/**
 * Sessions are signed with AUTH_SECRET. A local demo gets one generated once and kept in the
 * data folder (git-ignored, owner-only), so sign-ins survive a restart.
 */
function authSecret(dataDir: string): string {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  const file = path.resolve(dataDir, "auth-secret");
  const existing = readIfExists(file)?.toString("utf8").trim();
  if (existing && existing.length >= 32) return existing;
  const secret = randomBytes(32).toString("base64url");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

async function waitForHealth(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(
        `the server exited (code ${server.exitCode ?? server.signalCode}) before it was ready`,
      );
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `the server did not answer ${url}/api/health within ${HEALTH_TIMEOUT_MS / 1000} s`,
  );
}

function describeDatabase(env: Env): string {
  if (!env.DATABASE_URL) {
    const folder = `embedded PGlite in ${path.join(env.CLOSELINE_DATA_DIR, "pglite")}`;
    // CLOSELINE_PGLITE_SOCKET=on: how to look into it while it runs (db/embedded-socket.ts).
    return env.CLOSELINE_PGLITE_SOCKET === "on"
      ? `${folder}; psql -h ${path.resolve(env.CLOSELINE_DATA_DIR)} -U postgres postgres`
      : folder;
  }
  const url = new URL(env.DATABASE_URL);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

function banner(lines: string[]) {
  const rule = "─".repeat(Math.max(...lines.map((l) => l.length)) + 4);
  console.log(`\n${rule}\n${lines.map((l) => `  ${l}`).join("\n")}\n${rule}\n`);
}

async function main(): Promise<void> {
  let env: Env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    log((error as Error).message);
    process.exit(2);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => void shutdown(signal));

  const distDir = process.env.NEXT_DIST_DIR || ".next";
  const demo = env.CLOSELINE_DEMO === "on";
  const seed = env.CLOSELINE_DEMO_SEED;
  if (!(await portIsFree(env.PORT))) {
    log(`port ${env.PORT} is in use; stop whatever listens there or choose another PORT`);
    process.exit(1);
  }

  await buildIfNeeded(distDir);

  const url = `http://127.0.0.1:${env.PORT}`;
  const publicUrl = `http://localhost:${env.PORT}`;
  const ingestKey = demo ? `cl_${randomBytes(32).toString("base64url")}` : null;
  // The server replays the history itself, as received when it happened
  // (lib/server/demo-history.ts); the simulator here sends what happens from now on. Whole
  // minutes, so two runs started in the same minute play exactly the same history.
  const historyTo = Math.floor(Date.now() / 60_000) * 60_000;
  const historyFrom = historyTo - BACKFILL_DAYS * 86_400_000;
  // The simulator also plays the systems that receive retries and corrections: their webhook
  // runs here, and the server registers it at startup (lib/outbox/endpoints.ts).
  const webhookSecret = generateWebhookSecret();
  const receiver = ingestKey
    ? await startDemoReceiver({
        url,
        key: ingestKey,
        secret: webhookSecret,
        signal: simulator.signal,
      })
    : null;
  log(`starting the server on port ${env.PORT} (${describeDatabase(env)})`);
  const server = spawnGroup(["start", "--port", String(env.PORT)], {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: distDir,
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(env.PORT),
    AUTH_SECRET: authSecret(env.CLOSELINE_DATA_DIR),
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? publicUrl,
    ...(ingestKey
      ? {
          CLOSELINE_DEMO_INGEST_KEY: ingestKey,
          CLOSELINE_DEMO_SEED: String(seed),
          CLOSELINE_DEMO_HISTORY_FROM: new Date(historyFrom).toISOString(),
          CLOSELINE_DEMO_HISTORY_TO: new Date(historyTo).toISOString(),
        }
      : {}),
    ...(receiver
      ? {
          CLOSELINE_DEMO_WEBHOOK_URL: receiver.webhookUrl,
          CLOSELINE_DEMO_WEBHOOK_SECRET: webhookSecret,
        }
      : {}),
  });
  void exited(server).then((code) => {
    if (stopping) return;
    log(`the server exited with code ${code}`);
    simulator.abort();
    process.exit(code === 0 ? 1 : code);
  });

  await waitForHealth(url, server);

  const lines = [`Closeline is running at ${publicUrl}`, `Database: ${describeDatabase(env)}`];
  if (ingestKey) {
    lines.push(
      `Demo data is flowing: the server replays ${BACKFILL_DAYS} days of history (seed ${seed}) while the simulator sends live events.`,
      `The demo operations team (the operations and finance demo users) works the exceptions as they come.`,
      `Demo API key for this run (ingest, read):`,
      `  ${ingestKey}`,
      `  curl -H "Authorization: Bearer $KEY" "${publicUrl}/api/v1/events?limit=5"`,
      `Retries and corrections go to the simulated receiving systems at ${receiver?.webhookUrl}`,
    );
    if (!env.DATABASE_URL)
      lines.push(`Sign in at ${publicUrl}/sign-in (the demo accounts are listed there)`);
    lines.push("Start without demo data: CLOSELINE_DEMO=off npm start");
  } else {
    lines.push("Demo data: off (CLOSELINE_DEMO=off)");
  }
  lines.push("Stop: Ctrl-C");
  banner(lines);

  if (!ingestKey) return;
  try {
    await runSimulator({
      url,
      key: ingestKey,
      seed,
      backfillDays: BACKFILL_DAYS,
      since: historyFrom,
      startedAt: historyTo,
      sendBackfill: false,
      live: true,
      intervalMs: LIVE_INTERVAL_MS,
      signal: simulator.signal,
      log: (line) => {
        if (!stopping) console.log(line);
      },
      onBackfilled: () => log(`live events every ${LIVE_INTERVAL_MS / 1000} s at ${publicUrl}`),
    });
  } catch (error) {
    if (stopping) return;
    // The product keeps running without demo data rather than going down with the demo.
    log(`the demo simulator stopped: ${(error as Error).message}`);
  }
}

main().catch((error: unknown) => {
  if (stopping) return;
  log(error instanceof Error ? error.message : String(error));
  forward("SIGTERM");
  process.exit(1);
});
