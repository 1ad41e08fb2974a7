import { z } from "zod";
import type { Db } from "@/db/client";
import {
  lockRate,
  reconvertAllExceptions,
  reconvertExceptions,
  upsertAdminRate,
} from "@/db/queries/fx";
import type { FxRate } from "@/db/schema";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { CurrencyCode } from "@/lib/contract";
import { FxRateData } from "@/lib/contract/event-types";
import { parseInput } from "@/lib/parse-input";
import {
  readSettingsDocument,
  replaceSettingsDocument,
  type SettingsDocument,
} from "@/lib/settings-document";

/*
 * The company's reporting currency (an admin setting, USD until saved) and the exchange rates
 * into it an admin types in. Either change converts the exceptions it bears on again in the
 * same transaction as its audit entry, so the queue never sorts by a stale conversion.
 */

/** The settings key; closeline_reporting_currency() reads the same row in SQL. */
export const REPORTING_CURRENCY_KEY = "reporting-currency";
export const DEFAULT_REPORTING_CURRENCY = "USD";

const ReportingCurrencyDocument = z.object({ currency: CurrencyCode });

export function reportingCurrencyFrom(stored: unknown): string {
  const parsed = ReportingCurrencyDocument.safeParse(stored);
  return parsed.success ? parsed.data.currency : DEFAULT_REPORTING_CURRENCY;
}

const REPORTING_DOCUMENT: SettingsDocument<string> = {
  key: REPORTING_CURRENCY_KEY,
  fallback: DEFAULT_REPORTING_CURRENCY,
  read: reportingCurrencyFrom,
  store: (currency) => ({ currency }),
};

export async function loadReportingCurrency(db: Db): Promise<string> {
  return readSettingsDocument(db, REPORTING_DOCUMENT);
}

export interface Changer {
  actor: AuditActor;
  meta?: RequestMeta;
}

/** Sets the reporting currency (audited as setting.updated) and converts every exception into it. */
export async function saveReportingCurrency(db: Db, input: unknown, by: Changer): Promise<string> {
  const { currency } = parseInput(ReportingCurrencyDocument, input);
  return db.transaction(async (tx) => {
    await replaceSettingsDocument(tx, REPORTING_DOCUMENT, currency, by);
    await reconvertAllExceptions(tx);
    return currency;
  });
}

/** What an admin types: the fx.rate event's fields, checked the same way. */
export const AdminRateInput = FxRateData;
export type AdminRateInput = z.input<typeof AdminRateInput>;

/** A rate entered, and the rate of its pair and day it replaced, if any. */
export interface EnteredRate {
  rate: FxRate;
  replaced: Pick<FxRate, "rate" | "source"> | null;
}

/**
 * Records a rate an admin typed for a pair and day (replacing an event's or another admin's
 * for that day), audited with the rate before and after, and converts the exceptions it now
 * applies to.
 */
export async function enterRate(
  db: Db,
  input: unknown,
  by: Changer & { userId: string | null },
  now = new Date(),
): Promise<EnteredRate> {
  const data = parseInput(AdminRateInput, input);
  const key = {
    currency: data.currency,
    reportingCurrency: data.reportingCurrency,
    effectiveDate: data.effectiveDate,
  };
  return db.transaction(async (tx) => {
    const before = await lockRate(tx, key);
    const row = await upsertAdminRate(tx, {
      ...key,
      rate: data.rate,
      enteredBy: by.userId,
      at: now,
    });
    await writeAudit(tx, {
      actor: by.actor,
      action: "fx.rate_entered",
      target: {
        type: "fx_rate",
        id: `${data.currency}/${data.reportingCurrency}/${data.effectiveDate}`,
      },
      before: before ? { rate: before.rate, source: before.source } : null,
      after: { rate: row.rate, source: row.source },
      meta: by.meta,
    });
    await reconvertExceptions(tx, [{ ...key, from: data.effectiveDate }]);
    return {
      rate: row,
      replaced: before ? { rate: before.rate, source: before.source } : null,
    };
  });
}
