import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { E2E_DIST_DIR } from "../../../e2e/fixtures/server";

/*
 * The app as production runs it, for the process-level fault tests: `next start`
 * on a database of the test's own, which the test may SIGKILL and start again on the same
 * port. It serves the e2e suite's production build (.next-e2e), which scripts/test.sh has
 * just made in the stage before; only when there is none is it built here, once.
 */

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, "node_modules", ".bin", "next");
/** CLOSELINE_FAULTS_DIST_DIR: another build, e.g. while a colleague's e2e run rebuilds .next-e2e. */
export const FAULTS_DIST_DIR = process.env.CLOSELINE_FAULTS_DIST_DIR ?? E2E_DIST_DIR;
/** The fault tests' own ports, apart from dev (3000), e2e (3100) and the bench. */
const PORTS = { first: 3150, last: 3199 };
const START_TIMEOUT_MS = 120_000;

/**
 * `next build` adds its folder's type globs to tsconfig.json and points next-env.d.ts at its
 * folder; those edits concern this private build, so they are put back as scripts/e2e-server.ts
 * does — tsconfig.json only if the build's globs are all that changed, so that an edit someone
 * saved meanwhile is never lost.
 */
function restoreFilesNextBuildRewrites(tsconfig: Buffer | null, nextEnv: Buffer | null) {
  const tsconfigFile = path.join(ROOT, "tsconfig.json");
  const nextEnvFile = path.join(ROOT, "next-env.d.ts");
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file) : null);
  const tsconfigNow = read(tsconfigFile);
  if (tsconfig && tsconfigNow && !tsconfigNow.equals(tsconfig)) {
    try {
      const rewritten = JSON.parse(tsconfigNow.toString("utf8")) as { include?: string[] };
      rewritten.include = rewritten.include?.filter((g) => !g.startsWith(`${FAULTS_DIST_DIR}/`));
      if (isDeepStrictEqual(JSON.parse(tsconfig.toString("utf8")), rewritten)) {
        fs.writeFileSync(tsconfigFile, tsconfig);
      }
    } catch {
      // Not JSON any more: someone is editing it; leave it alone.
    }
  }
  if (nextEnv === null) fs.rmSync(nextEnvFile, { force: true });
  else if (!read(nextEnvFile)?.equals(nextEnv)) fs.writeFileSync(nextEnvFile, nextEnv);
}

/** Builds the app into FAULTS_DIST_DIR unless a build is already there. */
export async function ensureProductionBuild(): Promise<void> {
  if (fs.existsSync(path.join(ROOT, FAULTS_DIST_DIR, "BUILD_ID"))) return;
  const read = (file: string) => {
    const full = path.join(ROOT, file);
    return fs.existsSync(full) ? fs.readFileSync(full) : null;
  };
  const tsconfig = read("tsconfig.json");
  const nextEnv = read("next-env.d.ts");
  const output: string[] = [];
  try {
    const child = spawn(NEXT_BIN, ["build"], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_DIST_DIR: FAULTS_DIST_DIR,
        NEXT_TELEMETRY_DISABLED: "1",
        // Types are `npm run lint`'s job, which runs first in scripts/test.sh.
        NEXT_SKIP_TYPECHECK: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", resolve);
    });
    if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output.join("")}`);
  } finally {
    restoreFilesNextBuildRewrites(tsconfig, nextEnv);
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** A port of the fault tests' range that nothing listens on, tried from a random start. */
export async function freePort(): Promise<number> {
  const size = PORTS.last - PORTS.first + 1;
  const offset = randomBytes(1)[0]! % size;
  for (let i = 0; i < size; i++) {
    const port = PORTS.first + ((offset + i) % size);
    if (await portIsFree(port)) return port;
  }
  throw new Error(`No free port in ${PORTS.first}-${PORTS.last}`);
}

export interface AppServer {
  readonly url: string;
  /** How many times the process was started, the first included. */
  readonly starts: number;
  /** Whether the process started last is still running. */
  alive(): boolean;
  /** Starts the process (again) and resolves once /api/health answers 200. */
  start(): Promise<void>;
  /** `kill -9` of the server and anything it spawned; resolves once it is gone. */
  kill(): Promise<void>;
  /** A polite stop, SIGKILL after 5 s; for the end of a test. */
  stop(): Promise<void>;
  /** Everything the server printed, every start, to explain a failure. */
  output(): string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The servers run detached (their own process group, so a kill reaches all of it), which also
 * keeps them out of a Ctrl-C or the test runner's SIGTERM: they are killed here instead.
 */
const liveServers = new Set<() => void>();
const killLiveServers = () => liveServers.forEach((kill) => kill());
process.once("exit", killLiveServers);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killLiveServers();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

/**
 * An app server on `databaseUrl` with the demo off and the per-key rate limit out of the way
 * (the tests send as fast as they can with one key). Not started until start() is called.
 */
export async function appServer(databaseUrl: string): Promise<AppServer> {
  await ensureProductionBuild();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: FAULTS_DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    CLOSELINE_DEMO: "off",
    CLOSELINE_INGEST_RATE_PER_KEY: "100000",
    CLOSELINE_INGEST_BURST_PER_KEY: "100000",
    PORT: String(port),
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    NEXTAUTH_URL: url,
  };
  const output: string[] = [];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let starts = 0;

  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      // Detached: the server leads its own process group, so this reaches its workers too.
      process.kill(-child!.pid!, signal);
    } catch {
      // already gone
    }
  };
  // A failed or interrupted test must not leave a server holding the port.
  const killOnExit = () => {
    if (running()) signalGroup("SIGKILL");
  };
  liveServers.add(killOnExit);

  const kill = async () => {
    if (!running()) return;
    signalGroup("SIGKILL");
    await exited;
  };

  const start = async () => {
    if (running()) throw new Error("The server is already running");
    starts++;
    output.push(`\n--- start #${starts} ---\n`);
    const spawned = spawn(NEXT_BIN, ["start", "--port", String(port), "--hostname", "127.0.0.1"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    child = spawned;
    spawned.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    spawned.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    exited = new Promise((resolve) => spawned.once("exit", () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (spawned.exitCode !== null) {
        throw new Error(`next start exited with ${spawned.exitCode}:\n${output.join("")}`);
      }
      try {
        const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await kill();
        throw new Error(`next start did not answer /api/health in time:\n${output.join("")}`);
      }
      await sleep(100);
    }
  };

  const stop = async () => {
    liveServers.delete(killOnExit);
    if (!running()) return;
    signalGroup("SIGTERM");
    const timer = setTimeout(() => signalGroup("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  return {
    url,
    get starts() {
      return starts;
    },
    alive: running,
    start,
    kill,
    stop,
    output: () => output.join(""),
  };
}
