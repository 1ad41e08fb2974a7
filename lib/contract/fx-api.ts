import { z } from "zod";
import { FX_RATE_SOURCES } from "@/db/schema";
import { FxRateData } from "./event-types";
import { CurrencyCode, keysetPageFields, pageCursor } from "./primitives";

/*
 * Exchange rates over HTTP: GET /api/v1/fx-rates lists them, POST /api/v1/fx-rates enters one
 * as an admin does on the settings page. The handlers (lib/money/http.ts) parse with these and
 * answer these shapes; the OpenAPI document is generated from them.
 */

const Day = z.iso.date().meta({ description: "A UTC day, YYYY-MM-DD", example: "2026-11-01" });

export const ListFxRatesQuery = z
  .object({
    currency: CurrencyCode.optional().meta({ description: "Only rates from this currency" }),
    reportingCurrency: CurrencyCode.optional().meta({
      description: "Only rates into this currency",
    }),
    effectiveFrom: Day.optional().meta({
      description: "Only rates effective on or after this UTC day",
    }),
    effectiveTo: Day.optional().meta({
      description: "Only rates effective on or before this UTC day",
    }),
    ...keysetPageFields("Rates"),
  })
  .refine((q) => !q.effectiveFrom || !q.effectiveTo || q.effectiveFrom <= q.effectiveTo, {
    path: ["effectiveTo"],
    message: "must not be before effectiveFrom",
  });

/** The body of POST /api/v1/fx-rates: the fx.rate event's data, nothing else. */
export const FxRateRequest = FxRateData.strict().meta({
  description:
    "A rate for a pair from a day on, as the fx.rate event carries it; it replaces any rate of that pair and day",
});

export const FxRateResource = z.object({
  currency: CurrencyCode.meta({ description: "The currency the rate converts from" }),
  reportingCurrency: CurrencyCode.meta({ description: "The currency it converts into" }),
  effectiveDate: Day.meta({
    description: "The first UTC day it applies; it holds until the pair's next effectiveDate",
  }),
  rate: z.string().meta({
    description: "Units of reportingCurrency per one unit of currency, exact, as stored",
    example: "1.0825",
  }),
  source: z.enum(FX_RATE_SOURCES).meta({
    description: "event: an fx.rate event; admin: entered on the settings page or through the API",
  }),
  at: z.iso.datetime({ offset: true }).meta({
    description: "The event's time, or when the admin entered it",
  }),
  recordedAt: z.iso.datetime({ offset: true }).meta({ description: "When Closeline stored it" }),
});

export const FxRateList = z.object({
  items: z.array(FxRateResource),
  nextCursor: pageCursor("Pass as cursor for the next page"),
});

export const FxRateEntered = FxRateResource.extend({
  replaced: z
    .object({ rate: z.string(), source: z.enum(FX_RATE_SOURCES) })
    .nullable()
    .meta({ description: "The rate of that pair and day this one replaced, or null" }),
});

export const FX_SCHEMAS: Record<string, z.ZodType> = {
  FxRateRequest,
  FxRate: FxRateResource,
  FxRateList,
  FxRateEntered,
};
