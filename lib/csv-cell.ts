/**
 * One cell of an exported CSV file, per RFC 4180. Text comes from telemetry (titles, labels,
 * error messages), so text a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
 * is prefixed with an apostrophe.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value == null) return "";
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
