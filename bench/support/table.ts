/** Formats rows as an aligned plain-text table; columns whose header starts with `>` align right. */
export function formatTable(headers: string[], rows: string[][]): string {
  const alignRight = headers.map((h) => h.startsWith(">"));
  const titles = headers.map((h) => h.replace(/^>/, ""));
  const widths = titles.map((title, col) =>
    Math.max(title.length, ...rows.map((row) => (row[col] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, col) =>
        alignRight[col] ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!),
      )
      .join("  ")
      .trimEnd();
  return [line(titles), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export const formatCount = (n: number) => Math.round(n).toLocaleString("en-US");
