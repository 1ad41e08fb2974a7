import type { Company } from "./company";
import { SOURCES, simEvent, type SimEvent } from "./events";
import { rngFor } from "./prng";
import { DAY, MINUTE, iso, startOfDay } from "./time";

/*
 * The treasury system's daily reference rates into USD, the demo's reporting currency, for
 * each entity currency other than USD: published at 05:00 UTC for that UTC day, around a
 * fixed mid-rate. Each day's rate comes from its day alone, so any split of the time range
 * plays the same rates.
 */

/** Mid-rates in ten-thousandths of a dollar per unit. */
const MID_RATES: Record<string, number> = { EUR: 10_850, GBP: 12_700 };
const REPORTING_CURRENCY = "USD";
const PUBLISHED_AFTER = 5 * 60 * MINUTE;

const fourDecimals = (units: number) =>
  `${Math.floor(units / 10_000)}.${String(units % 10_000).padStart(4, "0")}`;

/** Rate events delivered in [from, to). */
export function fxRateEvents(company: Company, from: number, to: number): SimEvent[] {
  const currencies = [...new Set(company.entities.map((e) => e.currency))].filter(
    (c) => c !== REPORTING_CURRENCY && MID_RATES[c] !== undefined,
  );
  const out: SimEvent[] = [];
  for (let day = startOfDay(from - PUBLISHED_AFTER); day < to; day += DAY) {
    const time = day + PUBLISHED_AFTER;
    if (time < from || time >= to) continue;
    const effectiveDate = iso(day).slice(0, 10);
    for (const currency of currencies) {
      const rng = rngFor(company.seed, "fx-rate", currency, effectiveDate);
      const units = MID_RATES[currency]! + rng.int(-150, 150);
      out.push(
        simEvent({
          source: SOURCES.treasury,
          type: "fx.rate",
          id: `fx-${currency}-${REPORTING_CURRENCY}-${effectiveDate}`,
          time,
          deliverAt: time,
          data: {
            currency,
            reportingCurrency: REPORTING_CURRENCY,
            rate: fourDecimals(units),
            effectiveDate,
          },
        }),
      );
    }
  }
  return out;
}
