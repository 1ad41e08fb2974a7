import { parseArgs } from "node:util";
import { API_KEY_SCOPES, ROLES } from "@/db/schema";
import { AppError, isTransientDatabaseError } from "@/lib/errors";
import { apiKeyCommands } from "./api-key";
import { type Command, type CommandArgs, type CommandContext, UsageError } from "./command";
import { migrateCommands } from "./migrate";
import { CliOutput, type CliResult } from "./output";
import { userCommands } from "./user";

export type { CliResult } from "./output";

/*
 * `npm run closeline -- <command>`: the operator's way to manage keys, users and the database
 * without the UI. Commands take the database from their caller, so the same code runs in the
 * CLI process and, while the app holds the embedded database, inside the app.
 */

const COMMANDS: Command[] = [...apiKeyCommands, ...userCommands, ...migrateCommands];

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

export type ParsedCommandLine =
  | { kind: "command"; command: Command; args: CommandArgs }
  /** Help or a usage error: answered without a database. */
  | { kind: "answered"; result: CliResult };

export function parseCommandLine(argv: string[]): ParsedCommandLine {
  const out = new CliOutput();
  const [first, second] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    const topic = first === "help" ? argv.slice(1).join(" ") : "";
    const matches = COMMANDS.filter((c) => c.name === topic || c.name.startsWith(`${topic} `));
    if (topic && matches.length === 0) return usageError(out, `Unknown command "${topic}"`);
    out.lines(topic ? usageLines(matches) : helpText());
    return { kind: "answered", result: out.result(first === undefined ? 2 : 0) };
  }

  const command =
    COMMANDS.find((c) => c.name === `${first} ${second}`) ?? COMMANDS.find((c) => c.name === first);
  if (!command) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0) {
      return usageError(
        out,
        second === undefined || second.startsWith("-")
          ? `"${first}" needs a subcommand: ${group.map((c) => c.name.split(" ")[1]).join(", ")}`
          : `Unknown command "${first} ${second}"`,
        group,
      );
    }
    return usageError(out, `Unknown command "${first}"`);
  }

  const rest = argv.slice(command.name.split(" ").length);
  let parsed: { values: CommandArgs["values"]; positionals: string[] };
  try {
    // No option is `multiple`, so every value is a string or a boolean.
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, ...HELP_OPTION },
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (error) {
    // node:util names the offending flag ("Unknown option '--nmae'"); that is the message,
    // without its hint about positionals that start with "-", which no command takes.
    const message = (error instanceof Error ? error.message : String(error)).replace(
      /\. To specify a positional argument.*$/s,
      "",
    );
    return usageError(out, message, [command]);
  }
  if (parsed.values.help) {
    out.lines(usageLines([command]));
    return { kind: "answered", result: out.result(0) };
  }
  const missing = (command.required ?? []).filter((name) => parsed.values[name] === undefined);
  if (missing.length > 0) {
    return usageError(out, `Missing ${missing.map((m) => `--${m}`).join(", ")}`, [command]);
  }
  const expected = command.positionals ?? [];
  if (parsed.positionals.length !== expected.length) {
    return usageError(
      out,
      parsed.positionals.length > expected.length
        ? `Unexpected argument "${parsed.positionals[expected.length]}"`
        : `Missing <${expected[parsed.positionals.length]}>`,
      [command],
    );
  }
  return {
    kind: "command",
    command,
    args: { values: parsed.values, positionals: parsed.positionals },
  };
}

/**
 * Parses and runs one command line. Never throws: every outcome is output and an exit code,
 * so the CLI process and the app's internal route report it the same way.
 */
export async function runCli(
  argv: string[],
  context: Omit<CommandContext, "out">,
): Promise<CliResult> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === "answered") return parsed.result;
  const out = new CliOutput();
  try {
    await parsed.command.run({ ...context, out }, parsed.args);
    return out.result(0);
  } catch (error) {
    if (error instanceof UsageError) return usageError(out, error.message, [parsed.command]).result;
    out.error(`closeline: ${errorMessage(error)}`);
    return out.result(1);
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof AppError) return error.message;
  if (isTransientDatabaseError(error)) {
    return `the database is unreachable or busy (${describe(error)}); check DATABASE_URL and retry`;
  }
  // An operator on their own machine is better served by the real message than by "internal".
  return `unexpected error: ${describe(error)}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function usageError(
  out: CliOutput,
  message: string,
  commands?: Command[],
): { kind: "answered"; result: CliResult } {
  out.error(`closeline: ${message}`);
  if (commands?.length) for (const line of usageLines(commands)) out.error(line);
  out.error("Run `npm run closeline -- help` for all commands.");
  return { kind: "answered", result: out.result(2) };
}

function usageLines(commands: Command[]): string[] {
  return commands.flatMap((c) => [
    `Usage: npm run closeline -- ${c.name}${c.usage ? ` ${c.usage}` : ""}`,
    `  ${c.summary}`,
  ]);
}

function helpText(): string[] {
  const entry = (c: Pick<Command, "name" | "usage" | "summary">) => {
    const synopsis = `  ${c.name}${c.usage ? ` ${c.usage}` : ""}`;
    return synopsis.length <= 50
      ? [`${synopsis.padEnd(52)}${c.summary}`]
      : [synopsis, `${" ".repeat(52)}${c.summary}`];
  };
  return [
    "Closeline operator commands: npm run closeline -- <command> [options]",
    "",
    "API keys",
    ...apiKeyCommands.flatMap(entry),
    "Users",
    ...userCommands.flatMap(entry),
    "Database",
    ...migrateCommands.flatMap(entry),
    ...entry({ name: "help", usage: "[command]", summary: "Show this, or one command's usage" }),
    "",
    `Roles: ${ROLES.join(", ")}. Scopes: ${API_KEY_SCOPES.join(", ")}.`,
    "Every change is written to the audit log with the actor 'command line'.",
    "Exit status: 0 done, 1 the command failed, 2 the command line is wrong.",
    "",
    "Database: DATABASE_URL when set; otherwise the embedded database in CLOSELINE_DATA_DIR",
    "(default .data). While the app runs on the embedded database, which only one process",
    "can open, commands are passed to the app and run there.",
  ];
}
