import { z } from "zod";
import { CurrencyCode, ExactInteger } from "./primitives";

/*
 * An exception's amount at risk in its own currency and in the reporting currency, as the
 * queue and the exception answer it. Null says "unknown" (own currency) or "not converted"
 * (reporting currency: unknown amount, or no rate in effect on the day it opened) — never 0.
 */

export const AmountAtRiskResource = z
  .object({
    minor: z.int().meta({ description: "In the currency's minor units" }),
    currency: CurrencyCode,
  })
  .nullable()
  .meta({
    description:
      "What is at stake in the exception's own currency: the invoice or disputed amount, a break's variance, the payment, an amendment's delta, missing usage at the meter's unit price; null when unknown",
  });

export const ReportingAmountResource = z
  .object({
    minor: ExactInteger.meta({ description: "In the reporting currency's minor units" }),
    currency: CurrencyCode,
    rate: z.string().meta({
      description: 'The rate used, as a decimal string; "1" for the reporting currency itself',
      example: "1.0825",
    }),
    rateDate: z.iso.date().nullable().meta({
      description:
        "The UTC day that rate took effect (the latest on or before the day the exception opened); null for the reporting currency itself",
    }),
  })
  .nullable()
  .meta({
    description:
      "The amount at risk in the reporting currency, rounded half away from zero to its minor unit; null when the amount is unknown or no rate was in effect (never guessed)",
  });

/** The three fields every exception answer carries about its money. */
export const moneyAtStakeFields = {
  amountAtRisk: AmountAtRiskResource,
  amountAtRiskReporting: ReportingAmountResource,
  reportingCurrency: CurrencyCode.nullable().meta({
    description: "The reporting currency the amount was converted into (an admin setting)",
  }),
};
