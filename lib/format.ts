/*
 * Display formatting shared by server and client components. Money is formatted from integer
 * minor units with the currency's own number of decimals (JPY 0, USD 2, BHD 3) by integer
 * arithmetic on strings, so no amount passes through a binary fraction.
 */

/** The zone every date is shown in until a user picks another on their profile. */
export const DEFAULT_TIME_ZONE = "UTC";

// Intl formatters are costly to build and a page formats hundreds of dates in one or two zones.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function cached(
  store: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  make: () => Intl.DateTimeFormat,
): Intl.DateTimeFormat {
  let format = store.get(timeZone);
  if (!format) {
    format = make();
    store.set(timeZone, format);
  }
  return format;
}

/**
 * The zone's offset at that instant as "UTC", "UTC+2" or "UTC−3:30": an offset is never
 * ambiguous (CST is three different zones) and it shows the daylight-saving switch.
 */
export function formatZoneOffset(date: Date, timeZone: string): string {
  if (timeZone === "UTC") return "UTC";
  const part = cached(
    offsetFormats,
    timeZone,
    () => new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "shortOffset" }),
  )
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName")?.value;
  // "GMT", "GMT+0" (Etc/UTC) or "GMT+5:30".
  const offset = (part ?? "GMT").replace(/^GMT/, "");
  return /^[+-]?0?$/.test(offset) ? "UTC" : `UTC${offset.replace("-", "−")}`;
}

/**
 * "6 Dec 2026, 14:05 UTC", or in a user's zone "6 Dec 2026, 15:05 UTC+1". Without a zone it
 * shows UTC; pages pass the signed-in user's zone (lib/server/time-zone.ts on the server,
 * components/shell/time-zone.tsx in the browser).
 */
export function formatDateTime(
  value: Date | string | null | undefined,
  timeZone: string = DEFAULT_TIME_ZONE,
): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return "—";
  const format = cached(
    dateTimeFormats,
    timeZone,
    () => new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone }),
  );
  return `${format.format(date)} ${formatZoneOffset(date, timeZone)}`;
}

const timeOfDayFormats = new Map<string, Intl.DateTimeFormat>();

/** "14:05:09 UTC+1": a time of day to the second, for data only seconds or minutes old. */
export function formatTimeOfDay(
  value: Date | string,
  timeZone: string = DEFAULT_TIME_ZONE,
): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return "—";
  const format = cached(
    timeOfDayFormats,
    timeZone,
    () =>
      new Intl.DateTimeFormat("en-GB", {
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
        timeZone,
      }),
  );
  return `${format.format(date)} ${formatZoneOffset(date, timeZone)}`;
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

/** The sign, whole part and fraction (with its point) of a minor-unit amount, by integer arithmetic. */
function minorParts(amountMinor: number | bigint | string, currency: string) {
  const digits = currencyDigits(currency);
  const raw = BigInt(amountMinor);
  const negative = raw < 0n;
  const abs = (negative ? -raw : raw).toString().padStart(digits + 1, "0");
  const whole = abs.slice(0, abs.length - digits) || "0";
  const fraction = digits > 0 ? `.${abs.slice(abs.length - digits)}` : "";
  return { negative, whole, fraction };
}

export function formatMoney(amountMinor: number | bigint | string, currency: string): string {
  const { negative, whole, fraction } = minorParts(amountMinor, currency);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "−" : ""}${grouped}${fraction} ${currency}`;
}

/** A minor-unit amount as a plain decimal in its currency's digits, for files: 125050 USD → "1250.50". */
export function decimalAmount(amountMinor: number | bigint | string, currency: string): string {
  const { negative, whole, fraction } = minorParts(amountMinor, currency);
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** A count, grouped in thousands; an exact integer past 2^53 (a decimal string) too. */
export function formatCount(n: number | bigint | string | null | undefined): string {
  if (n == null) return "—";
  return (typeof n === "number" ? n : BigInt(n)).toLocaleString("en-US");
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration as people say it: "850 ms", "4.2 s", "12 min 5 s", "2 h 5 min", "3 d 4 h". At
 * most two units, the smaller one rounded, so nobody has to work out what "31.8 h" means.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "—";
  const sign = ms < 0 ? "−" : "";
  const abs = Math.abs(ms);
  if (abs < SECOND) return `${sign}${Math.round(abs)} ms`;
  if (abs < 10 * SECOND) {
    const seconds = Math.round(abs / 100) / 10;
    if (seconds < 10) return `${sign}${seconds} s`;
  }
  // Round to the smaller unit first, then split, so 59 min 59.6 s reads "1 h", not "60 min".
  const pair = (small: number, large: number, smallUnit: string, largeUnit: string) => {
    const total = Math.round(abs / small);
    const ratio = large / small;
    const whole = Math.floor(total / ratio);
    const rest = total % ratio;
    if (whole === 0) return `${sign}${rest} ${smallUnit}`;
    return rest === 0
      ? `${sign}${whole} ${largeUnit}`
      : `${sign}${whole} ${largeUnit} ${rest} ${smallUnit}`;
  };
  if (Math.round(abs / SECOND) < 60 * 60) return pair(SECOND, MINUTE, "s", "min");
  if (Math.round(abs / MINUTE) < 24 * 60) return pair(MINUTE, HOUR, "min", "h");
  return pair(HOUR, DAY, "h", "d");
}

/**
 * A ratio as a percentage to `digits` decimals. A ratio short of 1 never reads 100 %, nor one
 * above 0 reads 0 %: "100.00% of expected usage, 60,853 missing" contradicts itself, so such a
 * value is shown as beyond the nearest figure the precision can show ("> 99.99%", "< 0.01%").
 */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio == null) return "—";
  const text = (ratio * 100).toFixed(digits);
  if (ratio > 0 && ratio < 1) {
    const step = 10 ** -digits;
    if (Number(text) >= 100) return `> ${(100 - step).toFixed(digits)}%`;
    if (Number(text) <= 0) return `< ${step.toFixed(digits)}%`;
  }
  return `${text}%`;
}
