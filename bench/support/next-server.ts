import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { onAbort } from "./abort";
import { portIsFree } from "../../scripts/support/port";

/*
 * The app as production runs it: `next build` then `next start`. The build goes to its own
 * folder (NEXT_DIST_DIR) so it never collides with a dev server or another build in the tree.
 */

/** `.next-bench`, or NEXT_DIST_DIR when set, so two benches in one tree keep their own builds. */
export const BENCH_DIST_DIR = process.env.NEXT_DIST_DIR || ".next-bench";
const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, "node_modules", ".bin", "next");

/** What the build is made from; a change to any of these makes the bench rebuild. */
const BUILD_INPUTS = [
  "app",
  "components",
  "db",
  "lib",
  "instrumentation.ts",
  "middleware.ts",
  "proxy.ts",
  "next.config.js",
  "package-lock.json",
];

/**
 * `next build` adds its folder's type globs to tsconfig.json and points next-env.d.ts at
 * it. Those edits are about this private build, not the project, so they are put back.
 */
const FILES_NEXT_BUILD_REWRITES = ["tsconfig.json", "next-env.d.ts"];

function newestMtime(entry: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) {
    if (child === "node_modules" || child.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const buildId = path.join(ROOT, BENCH_DIST_DIR, "BUILD_ID");
  if (!fs.existsSync(buildId)) return false;
  const builtAt = fs.statSync(buildId).mtimeMs;
  return BUILD_INPUTS.every((input) => newestMtime(path.join(ROOT, input)) < builtAt);
}

/** Builds the production bundle unless the one in BENCH_DIST_DIR is newer than its sources. */
export async function buildIfNeeded(log: (line: string) => void): Promise<void> {
  if (process.env.BENCH_REBUILD !== "1" && buildIsCurrent()) {
    log(`production build in ${BENCH_DIST_DIR} is current`);
    return;
  }
  log(`building for production into ${BENCH_DIST_DIR} (next build) …`);
  const saved = FILES_NEXT_BUILD_REWRITES.map((file) => {
    const full = path.join(ROOT, file);
    return { full, content: fs.existsSync(full) ? fs.readFileSync(full) : null };
  });
  try {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(NEXT_BIN, ["build"], {
        env: {
          ...process.env,
          NODE_ENV: "production",
          NEXT_DIST_DIR: BENCH_DIST_DIR,
          // Types are npm run lint's job; here a half-saved file elsewhere must not stop the bench.
          NEXT_SKIP_TYPECHECK: "1",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      child.on("error", reject);
      child.on("exit", resolve);
    });
    if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output.join("")}`);
  } finally {
    for (const { full, content } of saved) {
      if (content === null) continue;
      if (!fs.existsSync(full) || !fs.readFileSync(full).equals(content)) {
        fs.writeFileSync(full, content);
      }
    }
  }
}

export interface RunningServer {
  url: string;
  /** The server's process group (the `next start` process and any worker it spawned). */
  pid: number;
  /** The end of the server's stdout and stderr, to explain a failed request. */
  outputTail(lines: number): string;
  stop(): Promise<void>;
}

/** After a failed run, the end of the server's output (when it started): what explains the failure. */
function printServerTail(server: RunningServer | null): void {
  if (server) console.error(`\n  last lines of the server's output:\n${server.outputTail(40)}`);
}

/** The server of one bench run, started and restarted as the run goes. */
export interface BenchServers {
  /** Stops the running server, if any, then starts one (startServer's arguments). */
  start(...args: Parameters<typeof startServer>): Promise<RunningServer>;
  /** Stops the running server, if any. */
  stop(): Promise<void>;
}

/**
 * Runs a bench's body, which starts its servers through `servers`. When the body fails, the
 * end of the running server's output is printed first; either way that server is stopped.
 */
export async function withServers<T>(body: (servers: BenchServers) => Promise<T>): Promise<T> {
  let running: RunningServer | null = null;
  const stop = async () => {
    const server = running;
    running = null;
    await server?.stop();
  };
  const start = async (...args: Parameters<typeof startServer>) => {
    await stop();
    running = await startServer(...args);
    return running;
  };
  try {
    return await body({ start, stop });
  } catch (error) {
    printServerTail(running);
    throw error;
  } finally {
    await stop();
  }
}

/**
 * Starts `next start` on `port` against `databaseUrl` with the demo off, and resolves once
 * /api/health answers. The server runs in its own process group so stop() also ends any
 * worker it spawned.
 */
export async function startServer(
  databaseUrl: string,
  port: number,
  /** More environment for the server, e.g. a setting one run turns off. */
  extraEnv: Record<string, string> = {},
  /** Flags for node itself, e.g. --cpu-prof (which NODE_OPTIONS may not carry). */
  nodeFlags: string[] = [],
): Promise<RunningServer> {
  if (!(await portIsFree(port))) {
    throw new Error(`Port ${port} is in use; stop whatever listens there and run again`);
  }
  const output: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeFlags, NEXT_BIN, "start", "--port", String(port)],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_DIST_DIR: BENCH_DIST_DIR,
        DATABASE_URL: databaseUrl,
        CLOSELINE_DEMO: "off",
        PORT: String(port),
        NEXT_TELEMETRY_DISABLED: "1",
        // Production refuses to start without a session secret; nobody signs in during a bench.
        AUTH_SECRET: process.env.AUTH_SECRET ?? randomBytes(32).toString("base64url"),
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, "SIGTERM");
    const timeout = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null)
        process.kill(-child.pid!, "SIGKILL");
    }, 5_000);
    await exited;
    clearTimeout(timeout);
  };
  const forget = onAbort(stop);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`next start exited with ${child.exitCode}:\n${output.join("")}`);
    }
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer /api/health within 60 s:\n${output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    url,
    pid: child.pid!,
    outputTail: (lines) => output.join("").split("\n").slice(-lines).join("\n"),
    stop: async () => {
      await stop();
      forget();
    },
  };
}
