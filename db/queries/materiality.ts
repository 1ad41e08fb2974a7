import "server-only";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { materialityThresholds, type MaterialityThreshold } from "../schema";

export interface MaterialityKey {
  entity: string;
  currency: string;
}

/** The entity's thresholds, one per currency it sets one in. */
export async function listMaterialityThresholds(db: Db, entity: string) {
  return db
    .select()
    .from(materialityThresholds)
    .where(eq(materialityThresholds.entity, entity))
    .orderBy(asc(materialityThresholds.currency));
}

/** The threshold of one entity and currency, locked so two changes record distinct "before"s. */
export async function lockMaterialityThreshold(
  tx: Db,
  key: MaterialityKey,
): Promise<MaterialityThreshold | undefined> {
  const [row] = await tx
    .select()
    .from(materialityThresholds)
    .where(
      and(
        eq(materialityThresholds.entity, key.entity),
        eq(materialityThresholds.currency, key.currency),
      ),
    )
    .for("update");
  return row;
}

/** Sets the threshold of one entity and currency, creating its row the first time. */
export async function upsertMaterialityThreshold(
  tx: Db,
  input: MaterialityKey & { thresholdMinor: number; updatedBy: string | null },
): Promise<MaterialityThreshold> {
  const [row] = await tx
    .insert(materialityThresholds)
    .values(input)
    .onConflictDoUpdate({
      target: [materialityThresholds.entity, materialityThresholds.currency],
      set: {
        thresholdMinor: input.thresholdMinor,
        updatedBy: input.updatedBy,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return row!;
}

/**
 * The threshold that applies to an amount of `currency` at `entity` on `day`, in that
 * currency's minor units: the entity's threshold in that currency if set; otherwise its
 * threshold in the reporting currency, brought into `currency` at the rate in effect on `day`
 * (the largest amount whose conversion, rounded as closeline_fx_apply rounds, stays at or under
 * it: ceil((T + ½) / k) − 1 for k = rate × 10^(reporting digits − own digits)); otherwise 0.
 * No rate in effect leaves 0, so the difference counts: a threshold is never guessed.
 */
export function effectiveMaterialitySql(entity: SQL, currency: SQL, day: SQL): SQL {
  return sql`coalesce(
    (select m.threshold_minor from materiality_thresholds m where m.entity = ${entity} and m.currency = ${currency}),
    (select least(ceil((m.threshold_minor + 0.5) / (f.rate
        * power(10::numeric, closeline_currency_digits(m.currency) - closeline_currency_digits(${currency})))) - 1,
        9223372036854775807)::bigint
      from materiality_thresholds m
        cross join lateral (
          select f.rate from fx_rates f
          where f.currency = ${currency} and f.reporting_currency = m.currency and f.effective_date <= ${day}
          order by f.effective_date desc limit 1
        ) f
      where m.entity = ${entity} and m.currency = closeline_reporting_currency() and m.currency <> ${currency}),
    0)`;
}
