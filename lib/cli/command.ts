import type { Db } from "@/db/client";
import type { CliOutput } from "./output";

/** The option shapes node:util parseArgs understands, restricted to what commands use. */
export type OptionSpec = { type: "string" | "boolean"; short?: string };

export interface CommandContext {
  /** Opens the database on first use, so `help` and usage errors never touch it. */
  getDb: () => Promise<Db>;
  /**
   * Standard input when it was piped, read by the process the operator started (also when
   * the command then runs inside the app); null from a terminal.
   */
  stdin: string | null;
  out: CliOutput;
}

export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface Command {
  /** Words that select the command, e.g. `api-key create`. */
  name: string;
  /** Flags and arguments as shown in help, after the name; absent when it takes none. */
  usage?: string;
  summary: string;
  /** Absent when the command takes no flags. */
  options?: Record<string, OptionSpec>;
  /** Options that must be given; missing ones are a usage error (exit 2). */
  required?: string[];
  /** Names of the positional arguments, all required. */
  positionals?: string[];
  /** The client reads piped standard input before running this command. */
  readsStdin?: boolean;
  run(ctx: CommandContext, args: CommandArgs): Promise<void>;
}

/** The command line itself is wrong: unknown command, unknown or missing flag (exit 2). */
export class UsageError extends Error {}

/** Commands declare string options; this reads one the parser has checked is present. */
export function stringValue(args: CommandArgs, name: string): string {
  const value = args.values[name];
  if (typeof value !== "string") throw new UsageError(`Missing --${name}`);
  return value;
}

export function optionalString(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}
