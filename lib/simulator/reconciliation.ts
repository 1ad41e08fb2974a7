import type { InvoiceChain } from "./billing";
import type { Company, Entity } from "./company";
import { SOURCES, simEvent, type SimEvent } from "./events";
import { rngFor } from "./prng";
import { DAY, HOUR, SECOND, addMonths, iso, monthKey, startOfDay } from "./time";
import type { RECONCILIATION_KINDS } from "@/lib/contract/event-types";

/*
 * The month-end reconciliations finance runs per entity, a few days into the next month:
 *   - payments_vs_ar (day 2): cash received per customer vs cash applied in receivables;
 *     a payment without remittance advice stays unapplied and breaks;
 *   - usage_vs_billing (day 4): usage rated by metering vs usage billed, per customer;
 *   - billing_vs_erp (day 6): each invoice vs what the ERP holds; a posting that failed
 *     for good, or was not fixed by the run, breaks.
 * Results reflect the world as it stood when the run happened, so a break can be real even
 * though the posting succeeds a day later. Once the cause is fixed (the posting went
 * through, the remittance advice arrived) the run is repeated the next morning and reports
 * the key matched; half the billing differences are corrected by a new invoice, the rest
 * wait for the next one.
 */

type Kind = (typeof RECONCILIATION_KINDS)[number];

/** Latest delivery of a run, or of a repeated run, after the end of its period. */
export const MAX_RUN_DELAY = 16 * DAY;
/** A fix later than this after the period's end waits for the next month's run. */
const LAST_RERUN = 15 * DAY;

export interface ReconciliationInputs {
  /** Invoice chains of the reconciled month (period = the month). */
  monthChains: readonly InvoiceChain[];
  /** Chains of earlier months whose payments may have been received in the reconciled month. */
  paymentChains: readonly InvoiceChain[];
}

interface Comparison {
  key: string;
  expectedMinor: number;
  actualMinor: number;
  /** When the cause of a difference was fixed, so that a repeated run matches; null: never. */
  fixedAt?: number | null;
}

const RUN_SCHEDULE: Record<Kind, { day: number; hourUtc: number; toleranceMinor: number }> = {
  payments_vs_ar: { day: 1, hourUtc: 5, toleranceMinor: 0 },
  usage_vs_billing: { day: 3, hourUtc: 4, toleranceMinor: 100 },
  billing_vs_erp: { day: 5, hourUtc: 4, toleranceMinor: 0 },
};

export function reconciliationRuns(
  company: Company,
  periodStart: number,
  inputs: ReconciliationInputs,
): SimEvent[] {
  const periodEnd = addMonths(periodStart, 1);
  const events: SimEvent[] = [];
  for (const entity of company.entities) {
    for (const kind of Object.keys(RUN_SCHEDULE) as Kind[]) {
      const schedule = RUN_SCHEDULE[kind];
      const rng = rngFor(company.seed, "reconciliation", monthKey(periodStart), entity.code, kind);
      // The run takes a few minutes; results are published together when it completes.
      const completedAt =
        periodEnd + schedule.day * DAY + schedule.hourUtc * HOUR + rng.int(60, 1500) * SECOND;
      const runId = `rec-${monthKey(periodStart)}-${entity.code}-${kind}`;
      const rows = compare(kind, entity, periodStart, periodEnd, completedAt, inputs);
      const result = (row: Comparison, id: string, at: number, actualMinor: number) =>
        simEvent({
          source: SOURCES.reconciliation,
          type: "reconciliation.result",
          id,
          time: at,
          deliverAt: at + rng.int(1, 30) * SECOND,
          subject: runId,
          data: {
            runId,
            kind,
            entity: entity.code,
            periodStart: iso(periodStart),
            periodEnd: iso(periodEnd),
            key: row.key,
            currency: entity.currency,
            expectedMinor: row.expectedMinor,
            actualMinor,
            toleranceMinor: schedule.toleranceMinor,
          },
        });
      for (const row of rows) {
        events.push(result(row, `${runId}-${row.key}`, completedAt, row.actualMinor));
        const broken = Math.abs(row.actualMinor - row.expectedMinor) > schedule.toleranceMinor;
        if (!broken || row.fixedAt == null) continue;
        const rerunAt =
          startOfDay(Math.max(row.fixedAt, completedAt)) +
          DAY +
          schedule.hourUtc * HOUR +
          rng.int(60, 1500) * SECOND;
        if (rerunAt - periodEnd > LAST_RERUN) continue;
        events.push(result(row, `${runId}-${row.key}-rerun`, rerunAt, row.expectedMinor));
      }
    }
  }
  return events;
}

function compare(
  kind: Kind,
  entity: Entity,
  periodStart: number,
  periodEnd: number,
  runAt: number,
  { monthChains, paymentChains }: ReconciliationInputs,
): Comparison[] {
  const ofEntity = (chains: readonly InvoiceChain[]) =>
    chains.filter((c) => c.customer.entity.code === entity.code);
  switch (kind) {
    case "usage_vs_billing":
      return ofEntity(monthChains).map((c) => ({
        key: c.customer.id,
        expectedMinor: c.ratedUsageMinor,
        actualMinor: c.billedUsageMinor,
        // Half the time billing issues a corrected invoice within days; else it waits.
        fixedAt: c.customer.number % 2 === 0 ? runAt + (2 + (c.customer.number % 4)) * DAY : null,
      }));
    case "billing_vs_erp":
      return ofEntity(monthChains).map((c) => ({
        key: c.invoiceId,
        expectedMinor: c.amountMinor,
        actualMinor:
          c.posting.succeededAt !== null && c.posting.succeededAt < runAt ? c.amountMinor : 0,
        fixedAt: c.posting.succeededAt,
      }));
    case "payments_vs_ar": {
      const byCustomer = new Map<string, Comparison>();
      for (const c of ofEntity(paymentChains)) {
        const p = c.payment;
        if (!p || p.receivedAt < periodStart || p.receivedAt >= periodEnd) continue;
        const row = byCustomer.get(c.customer.id) ?? {
          key: c.customer.id,
          expectedMinor: 0,
          actualMinor: 0,
        };
        row.expectedMinor += p.amountMinor;
        if (p.applied) row.actualMinor += p.amountMinor;
        // Remittance advice usually follows within days; cash application then matches it.
        else if (c.customer.number % 5 !== 0)
          row.fixedAt = p.receivedAt + (3 + (c.customer.number % 5)) * DAY;
        byCustomer.set(c.customer.id, row);
      }
      return [...byCustomer.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
    }
  }
}
