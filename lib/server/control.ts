import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Db } from "@/db/client";
import { bearerToken } from "@/lib/auth/api-keys";
import { runCli } from "@/lib/cli";
import { json } from "@/lib/http/respond";

/*
 * The embedded database (PGlite) can be open in one process only, and a second process opening
 * the same folder corrupts it. So while the app runs on it, the operator CLI does not open it:
 * it hands its command to the app. The app leaves `<CLOSELINE_DATA_DIR>/control.json` saying
 * where it listens and a secret the CLI must present; the file is readable by its owner only,
 * so the operator who can read the database folder is the one who can command the app.
 */

export const CONTROL_FILE = "control.json";
export const CLI_ROUTE = "/api/internal/cli";

export const ControlFileContents = z.object({
  pid: z.int().positive(),
  port: z.int().min(1).max(65535),
  token: z.string().min(43),
});
export type ControlFileContents = z.infer<typeof ControlFileContents>;

export function controlFilePath(dataDir: string): string {
  return path.resolve(dataDir, CONTROL_FILE);
}

/* Shared through globalThis: Next bundles instrumentation and route handlers separately. */
const globalForControl = globalThis as unknown as { closelineControlToken?: string };

/** The token this process wrote, or null when it did not (PostgreSQL mode, tests). */
export function controlToken(): string | null {
  return globalForControl.closelineControlToken ?? null;
}

/**
 * Announces this app process to the CLI. Written before the database opens, so a CLI started
 * meanwhile finds the app (and waits for it) instead of opening the folder too. The file is
 * written under a temporary name and renamed: a reader never sees half of it, and the mode is
 * 0600 from the first byte even if an old file with looser permissions was there.
 */
export function writeControlFile(options: { dataDir: string; port: number }): {
  path: string;
  token: string;
} {
  const file = controlFilePath(options.dataDir);
  const token = randomBytes(32).toString("base64url");
  const contents: ControlFileContents = { pid: process.pid, port: options.port, token };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(contents), { mode: 0o600 });
  fs.renameSync(temporary, file);
  globalForControl.closelineControlToken = token;
  // Best effort: a process killed outright leaves the file, and the CLI then sees a dead pid.
  process.once("exit", () => removeControlFile(options.dataDir));
  return { path: file, token };
}

/** Removes the file if this process wrote it; a newer app may have replaced it meanwhile. */
export function removeControlFile(dataDir: string): void {
  try {
    if (readControlFile(dataDir)?.pid === process.pid) fs.unlinkSync(controlFilePath(dataDir));
  } catch {
    // Already gone, or unreadable: nothing of ours to remove.
  }
}

/**
 * The running app's announcement, or null when there is none. A file that exists but cannot
 * be read is an error, not "no app": guessing wrong would let the CLI open a database that
 * an app has open.
 */
export function readControlFile(dataDir: string): ControlFileContents | null {
  const file = controlFilePath(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = null;
  }
  const parsed = ControlFileContents.safeParse(data);
  if (!parsed.success) {
    throw new Error(
      `${file} is not a Closeline control file; if no Closeline app is running, delete it`,
    );
  }
  return parsed.data;
}

const CliRequestBody = z.object({
  command: z.string().min(1).max(100),
  args: z.array(z.string().max(10_000)).max(50),
  stdin: z.string().max(10_000).nullable().optional(),
});
export type CliRequestBody = z.infer<typeof CliRequestBody>;

export const CliResponseBody = z.object({
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  stdout: z.array(z.string()),
  stderr: z.array(z.string()),
});

/**
 * The internal route: runs one CLI command inside the app, on the app's database. Answers 404
 * when this process wrote no control file (nothing to command), 403 to anything that does not
 * come from this machine, 401 without the token.
 */
export async function handleCliRequest(
  request: Request,
  options: { token: string | null; getDb: () => Promise<Db> },
): Promise<Response> {
  if (!options.token) return problem(404, "not_found", "Not found");
  if (!isLoopbackRequest(request)) {
    return problem(403, "forbidden", "The CLI route answers only requests from this machine");
  }
  const presented = bearerToken(request);
  if (!presented || !sameSecret(presented, options.token)) {
    return problem(401, "unauthenticated", "Wrong or missing control token");
  }
  let body: CliRequestBody;
  try {
    body = CliRequestBody.parse(await request.json());
  } catch {
    return problem(400, "invalid_input", "Expected JSON {command, args, stdin?}");
  }
  const result = await runCli([body.command, ...body.args], {
    getDb: options.getDb,
    stdin: body.stdin ?? null,
  });
  return json(result);
}

function problem(status: number, code: string, message: string): Response {
  return json({ error: { code, message } }, { status });
}

/** Comparing digests keeps the comparison constant-time whatever the lengths. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * A route handler does not see the socket. Next.js sets X-Forwarded-For to the socket's
 * address when the request has none, so a direct request from this machine carries a loopback
 * address there; a request relayed by a proxy carries the client's address (as the proxy
 * appends it) and a Host that is not loopback. Every address and the Host must be loopback.
 * A client connecting directly can still claim a loopback address, which is why the token,
 * not this check, is what guards the route.
 */
export function isLoopbackRequest(request: Request): boolean {
  const forwardedFor = request.headers.get("x-forwarded-for");
  if (!forwardedFor) return false;
  const addresses = [
    ...forwardedFor.split(","),
    ...(request.headers.get("x-real-ip") ?? "").split(","),
    ...[...(request.headers.get("forwarded") ?? "").matchAll(/for="?\[?([^\]";,]+)/gi)].map(
      (m) => m[1]!,
    ),
  ]
    .map((a) => a.trim())
    .filter(Boolean);
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return addresses.every(isLoopbackAddress) && isLoopbackHost(host);
}

function isLoopbackAddress(address: string): boolean {
  const ip = address.replace(/^::ffff:/i, "");
  return ip === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  return name === "localhost" || isLoopbackAddress(name);
}
