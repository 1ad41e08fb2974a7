import {
  CLI_ROUTE,
  CliResponseBody,
  controlFilePath,
  readControlFile,
  type CliRequestBody,
  type ControlFileContents,
} from "@/lib/server/control";
import type { CliResult } from "./output";

/*
 * The CLI's side of the control channel (lib/server/control.ts): find the app that holds the
 * embedded database and have it run the command.
 */

/** Generous: `user create` hashes a password, `migrate` may rewrite tables. */
const REQUEST_TIMEOUT_MS = 120_000;

/** The app announced in the data folder, if its process is still alive. */
export function findRunningApp(dataDir: string): ControlFileContents | null {
  const app = readControlFile(dataDir);
  return app && isAlive(app.pid) ? app : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; still not ours to overrun.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function runInApp(
  app: ControlFileContents,
  dataDir: string,
  argv: string[],
  stdin: string | null,
): Promise<CliResult> {
  const url = `http://127.0.0.1:${app.port}${CLI_ROUTE}`;
  const body: CliRequestBody = { command: argv[0]!, args: argv.slice(1), stdin };
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${app.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    // The app still holds the database (its pid is alive), so opening it here is not an option.
    return failure(
      `the Closeline app (pid ${app.pid}) has the embedded database open but did not answer at ${url}` +
        ` (${causeOf(error)}). If it is still starting, retry in a moment; if pid ${app.pid}` +
        ` is not Closeline, delete ${controlFilePath(dataDir)}.`,
    );
  }
  const answer = CliResponseBody.safeParse(await response.json().catch(() => null));
  if (response.ok && answer.success) return answer.data;
  return failure(
    `the Closeline app (pid ${app.pid}) refused the command with HTTP ${response.status}` +
      (response.status === 401 ? `: ${controlFilePath(dataDir)} is not from the running app` : ""),
  );
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function failure(message: string): CliResult {
  return { exitCode: 1, stdout: [], stderr: [`closeline: ${message}`] };
}
