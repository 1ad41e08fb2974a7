import { MAX_CHAIN_SPAN, invoiceChain, type InvoiceChain } from "./billing";
import { DEFAULT_CUSTOMER_COUNT, createCompany, type Company } from "./company";
import { amendmentsForMonth, type Amendment } from "./contracts";
import { fxRateEvents } from "./fx-rates";
import { compareSimEvents, type CloudEvent, type SimEvent } from "./events";
import { MAX_RUN_DELAY, reconciliationRuns } from "./reconciliation";
import { rngFor } from "./prng";
import { DAY, addMonths, monthKey, monthsOverlapping } from "./time";
import { usageEvents } from "./usage";

export { SOURCES, type CloudEvent, type SimEvent } from "./events";
export { ENTITIES, METERS, type Company, type Customer, type Entity } from "./company";

export interface SimulationOptions {
  seed: number;
  customers?: number;
  /**
   * When Closeline was connected: monthly cycles (invoices and their postings, payments and
   * entitlements, reconciliation runs) whose period ended before this are not played, so a
   * backfill does not start with payments for invoices it never showed. Usage checkpoints
   * and amendments have no history to respect and are played from any time.
   */
  since?: number;
}

/**
 * A seeded company whose events can be asked for by delivery time. The events of [a, b) and
 * [b, c) together are exactly those of [a, c), whatever the split, so a backfill followed by
 * a live feed of small ranges plays the same history as one large range.
 */
export class Simulation {
  readonly company: Company;
  readonly since: number;
  private readonly chainCache = new Map<number, InvoiceChain[]>();
  private readonly amendmentCache = new Map<number, Amendment[]>();

  constructor(options: SimulationOptions) {
    this.company = createCompany(options.seed, options.customers ?? DEFAULT_CUSTOMER_COUNT);
    this.since = options.since ?? Number.NEGATIVE_INFINITY;
  }

  /** Events delivered in [from, to) (epoch ms), in delivery order. */
  eventsBetween(from: number, to: number): SimEvent[] {
    if (!(from < to)) return [];
    const out: SimEvent[] = [];
    const keep = (events: readonly SimEvent[]) => {
      for (const e of events) if (e.deliverAt >= from && e.deliverAt < to) out.push(e);
    };

    keep(usageEvents(this.company, from, to));
    keep(fxRateEvents(this.company, from, to));
    for (const month of monthsOverlapping(from - 31 * DAY, to)) {
      keep(this.amendments(month).map((a) => a.event));
    }
    for (const month of monthsOverlapping(from - MAX_CHAIN_SPAN, to)) {
      const periodEnd = addMonths(month, 1);
      if (periodEnd >= to || periodEnd < this.since) continue;
      for (const chain of this.chains(month)) keep(chain.events);
    }
    for (const month of monthsOverlapping(from - MAX_RUN_DELAY - 31 * DAY, to)) {
      const periodEnd = addMonths(month, 1);
      if (periodEnd >= to || periodEnd < this.since || periodEnd + MAX_RUN_DELAY < from) continue;
      const paymentChains = [1, 2, 3, 4].flatMap((back) => this.chains(addMonths(month, -back)));
      keep(
        reconciliationRuns(this.company, month, { monthChains: this.chains(month), paymentChains }),
      );
    }
    return out.sort(compareSimEvents);
  }

  /** The invoice chains of the month starting at `monthStart`, one per customer. */
  chains(monthStart: number): InvoiceChain[] {
    let chains = this.chainCache.get(monthStart);
    if (!chains) {
      const amendments = this.amendments(monthStart);
      const month = rngFor(this.company.seed, "month-script", monthKey(monthStart));
      const disputed = month.pick(this.company.customers).id;
      const postingStuck = month.pick(this.company.customers).id;
      chains = this.company.customers.map((c) =>
        invoiceChain(this.company, c, monthStart, amendments, {
          disputed: c.id === disputed,
          postingStuck: c.id === postingStuck,
        }),
      );
      this.chainCache.set(monthStart, chains);
    }
    return chains;
  }

  amendments(monthStart: number): Amendment[] {
    let amendments = this.amendmentCache.get(monthStart);
    if (!amendments) {
      amendments = amendmentsForMonth(this.company, monthStart);
      this.amendmentCache.set(monthStart, amendments);
    }
    return amendments;
  }
}

/** The CloudEvents of [from, to) for a seed: the simulator's whole contract in one call. */
export function simulateEvents(
  options: SimulationOptions & { from: number; to: number },
): CloudEvent[] {
  return new Simulation(options).eventsBetween(options.from, options.to).map((e) => e.event);
}
