import { formatMoney } from "@/lib/format";

/*
 * An amount at risk in words, for the queue, the exception page, the CSV export and the
 * overview alike: an unknown amount says "unknown" and a missing conversion says which rate
 * is missing, so neither can be read as zero.
 */

export const UNKNOWN_AMOUNT = "unknown";

export interface MoneyAtStake {
  amountAtRisk: { minor: number; currency: string } | null;
  amountAtRiskReporting: {
    minor: number | string;
    currency: string;
    rate: string;
    rateDate: string | null;
  } | null;
  reportingCurrency: string | null;
}

/** The amount in its own currency, or "unknown". */
export function amountAtRiskText(x: Pick<MoneyAtStake, "amountAtRisk">): string {
  return x.amountAtRisk
    ? formatMoney(x.amountAtRisk.minor, x.amountAtRisk.currency)
    : UNKNOWN_AMOUNT;
}

/** The amount in the reporting currency, or why there is none. */
export function reportingAmountText(x: MoneyAtStake): string {
  if (x.amountAtRiskReporting)
    return formatMoney(x.amountAtRiskReporting.minor, x.amountAtRiskReporting.currency);
  if (!x.amountAtRisk) return UNKNOWN_AMOUNT;
  return `no ${x.amountAtRisk.currency}→${x.reportingCurrency ?? "reporting"} rate`;
}

/** Which rate the conversion used, e.g. "at 1.0825 EUR→USD effective 2026-11-01". */
export function conversionNote(x: MoneyAtStake): string | null {
  const converted = x.amountAtRiskReporting;
  if (!converted || !x.amountAtRisk) return null;
  if (converted.rateDate === null) return "the reporting currency itself";
  return `at ${converted.rate} ${x.amountAtRisk.currency}→${converted.currency} effective ${converted.rateDate}`;
}

/**
 * Beside a missing conversion: a rate the other way exists, but Closeline never inverts one
 * (1 ÷ rate is rarely the rate the books use), so an admin should enter this pair's rate.
 */
export function inverseRateNote(
  x: MoneyAtStake,
  inverse: { rate: string; effectiveDate: string } | null,
): string | null {
  if (!inverse || !x.amountAtRisk || x.amountAtRiskReporting || !x.reportingCurrency) return null;
  const from = x.amountAtRisk.currency;
  const to = x.reportingCurrency;
  return `an inverse rate exists (${to}→${from} ${inverse.rate} from ${inverse.effectiveDate}), which is never inverted: an admin enters a ${from}→${to} rate`;
}
