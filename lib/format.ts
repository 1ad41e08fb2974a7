/*
 * Display formatting shared by server and client components. Money is formatted from integer
 * minor units with the currency's own number of decimals (JPY 0, USD 2, BHD 3) by integer
 * arithmetic on strings, so no amount passes through a binary fraction.
 */

const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  return `${dateTime.format(date)} UTC`;
}

export function currencyDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

export function formatMoney(amountMinor: number | bigint | string, currency: string): string {
  const digits = currencyDigits(currency);
  const raw = BigInt(amountMinor);
  const negative = raw < 0n;
  const abs = (negative ? -raw : raw).toString().padStart(digits + 1, "0");
  const whole = abs.slice(0, abs.length - digits) || "0";
  const fraction = digits > 0 ? `.${abs.slice(abs.length - digits)}` : "";
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "−" : ""}${grouped}${fraction} ${currency}`;
}

export function formatCount(n: number | null | undefined): string {
  return n == null ? "—" : n.toLocaleString("en-US");
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return "—";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (abs < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (abs < 172_800_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  return ratio == null ? "—" : `${(ratio * 100).toFixed(digits)}%`;
}
