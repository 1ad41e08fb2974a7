/**
 * `npm run closeline -- <command>`: see `npm run closeline -- help` and lib/cli/.
 *
 * Loads .env files the way Next.js does before anything reads the environment, so the CLI
 * opens the same database as the app (a DATABASE_URL kept in .env.local included).
 */
import { loadEnvConfig } from "@next/env";

async function readStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<number> {
  loadEnvConfig(process.cwd(), process.env.NODE_ENV !== "production");
  const { env } = await import("@/lib/env");
  const { runCommandLine } = await import("@/lib/cli/main");
  const result = await runCommandLine(process.argv.slice(2), { ...env, readStdin });
  for (const line of result.stderr) process.stderr.write(`${line}\n`);
  for (const line of result.stdout) process.stdout.write(`${line}\n`);
  return result.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Configuration errors (lib/env.ts) and the like: say what, not a stack trace.
    process.stderr.write(`closeline: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
