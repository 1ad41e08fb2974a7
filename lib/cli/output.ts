/**
 * What a command produced. Commands write here instead of to the process streams so that the
 * same command gives the same output in the terminal and when the running app executes it
 * on the CLI's behalf (lib/server/control.ts).
 */
export interface CliResult {
  /** 0 done, 1 the command failed, 2 the command line was wrong. */
  exitCode: 0 | 1 | 2;
  stdout: string[];
  stderr: string[];
}

export class CliOutput {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];

  line(text = ""): void {
    this.stdout.push(text);
  }

  lines(texts: string[]): void {
    this.stdout.push(...texts);
  }

  /** A table of `rows` under `header`, or `whenEmpty` alone when there is none. */
  table(header: string[], rows: string[][], whenEmpty: string): void {
    this.lines(rows.length === 0 ? [whenEmpty] : formatTable(header, rows));
  }

  error(text: string): void {
    this.stderr.push(text);
  }

  result(exitCode: CliResult["exitCode"]): CliResult {
    return { exitCode, stdout: this.stdout, stderr: this.stderr };
  }
}

/** Left-aligned columns, two spaces apart, for terminals and for `grep`/`awk` alike. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, col) => (col === cells.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join("  ");
  return [format(header), ...rows.map(format)];
}

/** `2025-11-25 15:22 UTC`: minutes are enough to recognise a key or a user. */
export function formatTime(time: Date | null): string {
  return time ? `${time.toISOString().slice(0, 16).replace("T", " ")} UTC` : "-";
}
