import {
  PERIOD_KEY,
  periodContaining,
  periodFromKey,
  periodLabel,
  previousPeriod,
  shiftPeriod,
  type AccountingPeriodRange,
} from "@/lib/close/period";

/** Telemetry keeps arriving while months are being closed; the close pages follow it. */
export const REFRESH_MS = 60_000;

/** How far back the period pickers reach; older periods stay reachable by URL. */
const PICKER_MONTHS = 24;

/** A period as a picker offers it: its key (2026-03) and its name. */
export type PeriodChoice = { value: string; label: string };

/**
 * The period a URL's key names, or the previous calendar month (the one usually being closed)
 * when it names none.
 */
export function periodOrPrevious(key: string | null | undefined): AccountingPeriodRange {
  return key && PERIOD_KEY.test(key) ? periodFromKey(key) : previousPeriod();
}

/**
 * What a period picker offers, newest first: this month and the ones before it, and the chosen
 * period too when it is older.
 */
export function pickerPeriods(chosen: AccountingPeriodRange): PeriodChoice[] {
  const current = periodContaining(new Date());
  const periods = Array.from({ length: PICKER_MONTHS + 1 }, (_, i) => shiftPeriod(current, -i));
  if (!periods.some((p) => p.key === chosen.key)) periods.push(chosen);
  periods.sort((a, b) => b.start.getTime() - a.start.getTime());
  return periods.map((p) => ({ value: p.key, label: periodLabel(p) }));
}
