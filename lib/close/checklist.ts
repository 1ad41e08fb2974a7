import type { Db } from "@/db/client";
import { entityCurrencies } from "@/db/queries/close";
import { listMaterialityThresholds } from "@/db/queries/materiality";
import type { AccountingPeriodRange } from "./period";
import { computeCloseReadiness, configuredCompletenessTarget } from "./readiness";

/**
 * One entity-month's close checklist as the close page shows it: the readiness report, the
 * entity's materiality thresholds, and the currencies it trades in (a threshold can be set
 * for each).
 */
export async function loadCloseChecklist(
  db: Db,
  scope: { entity: string; period: AccountingPeriodRange },
) {
  const completenessTarget = await configuredCompletenessTarget(db);
  const [report, thresholds, currencies] = await Promise.all([
    computeCloseReadiness(db, { ...scope, completenessTarget }),
    listMaterialityThresholds(db, scope.entity),
    entityCurrencies(db, scope.entity),
  ]);
  return { report, thresholds, currencies };
}
