import type { Company, Customer } from "./company";
import { SOURCES, simEvent, type SimEvent } from "./events";
import { rngFor } from "./prng";
import { DAY, HOUR, MINUTE, SECOND, addMonths, iso, monthKey, startOfDay } from "./time";

/*
 * Contract amendments from the CRM: a handful a month, mostly prospective (an upsell or a
 * renegotiated price from next month), and every month at least one retroactive one (an SLA
 * credit or a backdated price change, effective from an earlier month). A retroactive
 * amendment is settled on the customer's next invoice, which is what makes it interesting
 * to finance: revenue already reported for a closed month changes.
 */

export interface Amendment {
  contractId: string;
  customer: Customer;
  effectiveFrom: number;
  amendedAt: number;
  amountImpactMinor: number;
  retroactive: boolean;
  reason: string;
  event: SimEvent;
}

const RETRO_REASONS = [
  "SLA credit for the availability incident",
  "Backdated volume discount agreed at renewal",
  "Price correction: contracted rate was not loaded in billing",
  "Backdated seat increase signed late",
];
const PROSPECTIVE_REASONS = [
  "Upgrade to a higher usage tier",
  "Additional workspace seats",
  "Renewal with revised unit price",
  "Downgrade of the support package",
];

/** The amendments signed in the month starting at `monthStart`. */
export function amendmentsForMonth(company: Company, monthStart: number): Amendment[] {
  const rng = rngFor(company.seed, "amendments", monthKey(monthStart));
  const count = rng.int(3, 6);
  const amendments: Amendment[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const customer = rng.pick(company.customers);
    if (used.has(customer.id)) continue;
    used.add(customer.id);
    const retroactive = i === 0 || rng.chance(0.15);
    const local = startOfDay(monthStart + rng.int(2, 25) * DAY);
    const amendedAt =
      local + (rng.int(9, 17) - customer.entity.utcOffsetHours) * HOUR + rng.int(0, 59) * MINUTE;
    const monthly = customer.planFeeMinor + customer.usageMinor;
    let effectiveFrom: number;
    let amountImpactMinor: number;
    let reason: string;
    if (retroactive) {
      // Settled in full on the next invoice, so it stays well below one month's bill.
      const monthsBack = rng.int(1, 2);
      effectiveFrom = addMonths(monthStart, -monthsBack);
      const delta = Math.round(monthly * rng.between(0.05, 0.2));
      const sign = rng.chance(0.7) ? -1 : 1;
      amountImpactMinor = sign * delta * (monthsBack + 1);
      reason = sign < 0 ? rng.pick(RETRO_REASONS.slice(0, 3)) : RETRO_REASONS[3]!;
    } else {
      effectiveFrom = addMonths(monthStart, 1);
      const delta = Math.round(monthly * rng.between(0.05, 0.4));
      // Contract value over the next twelve months.
      amountImpactMinor = (rng.chance(0.75) ? 1 : -1) * delta * 12;
      reason = rng.pick(PROSPECTIVE_REASONS);
    }
    const contractId = `ctr_${String(customer.number).padStart(4, "0")}`;
    const event = simEvent({
      source: SOURCES.crm,
      type: "contract.amended",
      id: `amd-${contractId}-${iso(amendedAt)}`,
      time: amendedAt,
      deliverAt: amendedAt + rng.int(2, 90) * SECOND,
      subject: contractId,
      data: {
        contractId,
        customerId: customer.id,
        entity: customer.entity.code,
        effectiveFrom: iso(effectiveFrom),
        amendedAt: iso(amendedAt),
        currency: customer.entity.currency,
        amountImpactMinor,
        reason,
      },
    });
    amendments.push({
      contractId,
      customer,
      effectiveFrom,
      amendedAt,
      amountImpactMinor,
      retroactive,
      reason,
      event,
    });
  }
  return amendments;
}
