import { InvalidInput } from "@/lib/errors";

/*
 * Accounting periods are calendar months in UTC, named YYYY-MM. A month is half-open:
 * [first instant of the month, first instant of the next).
 */

export interface AccountingPeriodRange {
  /** "2026-10" */
  key: string;
  start: Date;
  end: Date;
}

export const PERIOD_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function periodFromKey(key: string): AccountingPeriodRange {
  const match = PERIOD_KEY.exec(key);
  if (!match) throw new InvalidInput(`period must be a month as YYYY-MM, not "${key}"`);
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  if (year < 2000 || year > 2999)
    throw new InvalidInput("period must be a month between 2000-01 and 2999-12");
  return {
    key,
    start: new Date(Date.UTC(year, month, 1)),
    end: new Date(Date.UTC(year, month + 1, 1)),
  };
}

export function periodContaining(at: Date): AccountingPeriodRange {
  const key = `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
  return periodFromKey(key);
}

/** The month before the one `now` is in: the period being closed for most of the month. */
export function previousPeriod(now: Date = new Date()): AccountingPeriodRange {
  return periodContaining(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
}

export function shiftPeriod(period: AccountingPeriodRange, months: number): AccountingPeriodRange {
  return periodContaining(
    new Date(Date.UTC(period.start.getUTCFullYear(), period.start.getUTCMonth() + months, 1)),
  );
}

const monthName = new Intl.DateTimeFormat("en-GB", {
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** "October 2026" */
export function periodLabel(period: AccountingPeriodRange): string {
  return monthName.format(period.start);
}
