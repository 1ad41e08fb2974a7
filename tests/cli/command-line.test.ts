import { describe, expect, it } from "vitest";
import { parseCommandLine, runCli } from "@/lib/cli";
import { testDbForSuite } from "../support/db";
import { noDatabase, runOn } from "./support";

/* Usage errors exit 2 and help exits 0, both without opening the database. */

const run = (argv: string[]) => runCli(argv, { getDb: noDatabase, stdin: null });

describe("usage", () => {
  it("help lists every command and exits 0", async () => {
    const result = await run(["help"]);
    expect(result.exitCode).toBe(0);
    const text = result.stdout.join("\n");
    for (const name of [
      "api-key create",
      "api-key revoke",
      "api-key list",
      "user create",
      "user list",
      "user set-role",
      "user deactivate",
      "user reactivate",
      "user set-password",
      "migrate",
    ]) {
      expect(text).toContain(`  ${name}`);
    }
    expect((await run(["--help"])).exitCode).toBe(0);
    expect((await run(["help", "user"])).stdout.join("\n")).toContain("user set-role");
    expect((await run(["api-key", "create", "--help"])).stdout[0]).toBe(
      "Usage: npm run closeline -- api-key create --name N (--scopes ingest,read,work | --user EMAIL [--expires-days D])",
    );
  });

  it.each([
    [[], /^Closeline operator commands/, "stdout"],
    [["frobnicate"], /Unknown command "frobnicate"/, "stderr"],
    [["user"], /"user" needs a subcommand: create, list, set-role/, "stderr"],
    [["api-key", "rotate"], /Unknown command "api-key rotate"/, "stderr"],
    [["api-key", "create", "--name", "x"], /Missing --scopes/, "stderr"],
    [
      ["api-key", "create", "--name", "x", "--scopes", "ingest", "--nmae", "y"],
      /Unknown option '--nmae'$/,
      "stderr",
    ],
    [["api-key", "create", "--name"], /argument missing/, "stderr"],
    [["api-key", "revoke"], /Missing <id-or-prefix>/, "stderr"],
    [["api-key", "list", "extra"], /Unexpected argument "extra"/, "stderr"],
    [["help", "nothing"], /Unknown command "nothing"/, "stderr"],
  ] as const)("%j exits 2 with a clear message", async (argv, message, stream) => {
    const result = await run([...argv]);
    expect(result.exitCode).toBe(2);
    expect(result[stream][0]).toMatch(message);
  });

  it("parses without running, so the CLI can tell what a command needs before opening anything", () => {
    const parsed = parseCommandLine(["user", "set-password", "--email", "a@example.com"]);
    expect(parsed.kind).toBe("command");
    if (parsed.kind === "command") expect(parsed.command.readsStdin).toBe(true);
  });
});

describe("migrate", () => {
  const t = testDbForSuite();

  it("applies migrations (a no-op on a migrated database) and reports the schema version", async () => {
    const result = await runOn(t.db, ["migrate"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout[0]).toMatch(
      /^The database schema is up to date: (\d+) of \1 migrations applied, the latest \d{4}_\w+\.$/,
    );
  });

  it("reports an unexpected failure with its message and exit 1", async () => {
    const result = await runCli(["user", "list"], {
      getDb: async () => {
        throw new Error("boom");
      },
      stdin: null,
    });
    expect(result).toMatchObject({ exitCode: 1, stderr: ["closeline: unexpected error: boom"] });
  });
});
