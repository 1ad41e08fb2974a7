import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { authenticateApiKey } from "@/lib/auth/api-keys";
import { runCommandLine } from "@/lib/cli/main";
import { findRunningApp } from "@/lib/cli/remote";
import {
  CLI_ROUTE,
  controlFilePath,
  handleCliRequest,
  isLoopbackRequest,
  readControlFile,
  removeControlFile,
  writeControlFile,
} from "@/lib/server/control";
import { testDbForSuite } from "../support/db";
import { bearer, lastLine, tempDirForSuite } from "./support";

/*
 * While the app holds the embedded database, the CLI hands its commands to the app through
 * <data dir>/control.json and POST /api/internal/cli. Tested without Next.js: the route's
 * handler takes a Request, and a plain HTTP server stands in for the app.
 */

const t = testDbForSuite();
const dataDir = tempDirForSuite("closeline-control-");

function cliRequest(
  token: string | null,
  body: unknown,
  headers: Record<string, string> = { "x-forwarded-for": "127.0.0.1" },
): Request {
  return new Request(`http://127.0.0.1:3000${CLI_ROUTE}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

const createKeyBody = {
  command: "api-key",
  args: ["create", "--name", "via the app", "--scopes", "ingest"],
};

describe("the control file", () => {
  it("is written with mode 0600 and holds pid, port and a 256-bit token", () => {
    const { path: file, token } = writeControlFile({ dataDir: dataDir(), port: 3301 });
    expect(file).toBe(controlFilePath(dataDir()));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readControlFile(dataDir())).toEqual({ pid: process.pid, port: 3301, token });
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(findRunningApp(dataDir())?.port).toBe(3301);
  });

  it("names no running app once its process has died", () => {
    const child = spawnSync(process.execPath, ["-e", "process.exit(0)"]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-stale-"));
    fs.writeFileSync(
      controlFilePath(dir),
      JSON.stringify({ pid: child.pid, port: 3999, token: "x".repeat(43) }),
    );
    expect(findRunningApp(dir)).toBeNull();
    expect(findRunningApp(path.join(dir, "absent"))).toBeNull();
    // Unreadable is not "no app": opening the database on a guess could corrupt it.
    fs.writeFileSync(controlFilePath(dir), "{not json");
    expect(() => findRunningApp(dir)).toThrow(/not a Closeline control file/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is removed only by the process that wrote it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-owner-"));
    const someoneElse = { pid: process.pid + 1, port: 3000, token: "y".repeat(43) };
    fs.writeFileSync(controlFilePath(dir), JSON.stringify(someoneElse));
    removeControlFile(dir);
    expect(readControlFile(dir)).toEqual(someoneElse);
    writeControlFile({ dataDir: dir, port: 3000 });
    removeControlFile(dir);
    expect(readControlFile(dir)).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("the internal CLI route handler", () => {
  const token = "t".repeat(43);
  const options = { token, getDb: async () => t.db };

  it("runs the command on the app's database and returns its output and exit code", async () => {
    const response = await handleCliRequest(cliRequest(token, createKeyBody), options);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { exitCode: number; stdout: string[] };
    expect(body.exitCode).toBe(0);
    const key = body.stdout.at(-1)!;
    await expect(authenticateApiKey(t.db, bearer(key), "ingest")).resolves.toMatchObject({
      name: "via the app",
    });
  });

  it("passes usage errors and domain errors through with their exit codes", async () => {
    const usage = await handleCliRequest(cliRequest(token, { command: "nope", args: [] }), options);
    expect(await usage.json()).toMatchObject({
      exitCode: 2,
      stderr: ['closeline: Unknown command "nope"', expect.any(String)],
    });
    const domain = await handleCliRequest(
      cliRequest(token, { command: "api-key", args: ["revoke", "cl_doesnotexist"] }),
      options,
    );
    expect(await domain.json()).toMatchObject({ exitCode: 1 });
  });

  it("refuses a missing or wrong token with 401", async () => {
    const missing = await handleCliRequest(cliRequest(null, createKeyBody), options);
    expect(missing.status).toBe(401);
    const wrong = await handleCliRequest(cliRequest(`${token}x`, createKeyBody), options);
    expect(wrong.status).toBe(401);
  });

  it("answers 404 when this process wrote no control file (PostgreSQL mode)", async () => {
    const response = await handleCliRequest(cliRequest(token, createKeyBody), {
      ...options,
      token: null,
    });
    expect(response.status).toBe(404);
  });

  it("refuses requests that come from, or through, another machine with 403", async () => {
    const relayed: Record<string, string>[] = [
      { "x-forwarded-for": "203.0.113.9" },
      { "x-forwarded-for": "127.0.0.1, 203.0.113.9" },
      { "x-forwarded-for": "127.0.0.1", "x-real-ip": "10.0.0.5" },
      { "x-forwarded-for": "127.0.0.1", forwarded: "for=198.51.100.7" },
      { "x-forwarded-for": "127.0.0.1", host: "closeline.example.com" },
      {},
    ];
    for (const headers of relayed) {
      const response = await handleCliRequest(cliRequest(token, createKeyBody, headers), options);
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      expect(isLoopbackRequest(cliRequest(token, {}, { "x-forwarded-for": address }))).toBe(true);
    }
  });

  it("refuses a body that is not a command with 400", async () => {
    const response = await handleCliRequest(cliRequest(token, { argv: "api-key list" }), options);
    expect(response.status).toBe(400);
  });
});

describe("the CLI with an app running on the embedded database", () => {
  it("sends the command to the app and prints the same output", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-app-"));
    // A stand-in for `next start`: the route handler behind a loopback HTTP server, with the
    // X-Forwarded-For that Next.js fills in from the socket.
    let token = "";
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers(req.headers as Record<string, string>);
      headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
      const response = await handleCliRequest(
        new Request(`http://${req.headers.host}${req.url}`, {
          method: req.method,
          headers,
          body: Buffer.concat(chunks),
        }),
        { token, getDb: async () => t.db },
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      token = writeControlFile({
        dataDir: dir,
        port: (server.address() as AddressInfo).port,
      }).token;
      const env = {
        CLOSELINE_DATA_DIR: dir,
        readStdin: async () => "a passphrase from stdin\n",
      };
      const created = await runCommandLine(
        ["api-key", "create", "--name", "remote", "--scopes", "ingest,read"],
        env,
      );
      expect(created.exitCode).toBe(0);
      expect(created.stdout[0]).toMatch(/^Created API key "remote" with scopes ingest, read/);
      await expect(
        authenticateApiKey(t.db, bearer(lastLine(created)), "read"),
      ).resolves.toBeTruthy();

      // Piped input is read by the CLI process and travels with the command.
      await runCommandLine(
        ["user", "create", "--email", "remote@example.com", "--role", "finance"],
        env,
      );
      const reset = await runCommandLine(
        ["user", "set-password", "--email", "remote@example.com"],
        env,
      );
      expect(reset.stdout).toEqual([
        "Set a new password for remote@example.com; their sessions have ended.",
      ]);

      const usage = await runCommandLine(["api-key", "create"], env);
      expect(usage.exitCode).toBe(2);

      // The embedded database in `dir` was never created: the app's database was used.
      expect(fs.existsSync(path.join(dir, "pglite"))).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      removeControlFile(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with exit 1, and does not open the database, when the app does not answer", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-silent-"));
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    writeControlFile({ dataDir: dir, port });
    try {
      const result = await runCommandLine(["api-key", "list"], {
        CLOSELINE_DATA_DIR: dir,
        readStdin: async () => null,
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr[0]).toMatch(/has the embedded database open but did not answer/);
      expect(fs.existsSync(path.join(dir, "pglite"))).toBe(false);
    } finally {
      removeControlFile(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
