import type { EventType } from "@/lib/contract/event-types";
import { mulberry32 } from "@/lib/simulator/prng";

/*
 * A deterministic stream of CloudEvents that looks like one company's telemetry: three
 * legal entities in three currencies, about a thousand customers, hourly usage checkpoints
 * per entity and meter (some re-sent later and superseding the first), invoices, ERP
 * postings with failures and retries, payments that mostly reach entitlements, reconciliation
 * runs with a few breaks, and the odd dispute or contract amendment. 200,000 events cover
 * about a year that ends before today, so every usage window is past its grace period, as in
 * a backfill. The same seed gives the same events.
 */

export interface BenchEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: EventType;
  time: string;
  datacontenttype: "application/json";
  data: Record<string, unknown>;
}

/** A bench event: a CloudEvents 1.0 envelope of `type` around JSON `data`. */
export function benchEvent(
  type: EventType,
  id: string,
  source: string,
  time: string,
  data: Record<string, unknown>,
): BenchEvent {
  return { specversion: "1.0", id, source, type, time, datacontenttype: "application/json", data };
}

/** The share of each type in the stream; usage and ERP traffic dominate, as in production. */
const TYPE_WEIGHTS: [EventType, number][] = [
  ["usage.checkpoint", 0.55],
  ["erp.posting.attempted", 0.25],
  ["invoice.issued", 0.07],
  ["payment.received", 0.045],
  ["entitlement.updated", 0.04],
  ["reconciliation.result", 0.035],
  ["invoice.disputed", 0.005],
  ["contract.amended", 0.005],
];

const ENTITIES = [
  { code: "ACME-US", currency: "USD" },
  { code: "ACME-DE", currency: "EUR" },
  { code: "ACME-UK", currency: "GBP" },
] as const;
const METERS = ["api_calls", "storage_gb_hours", "active_seats", "events_processed"];
const CUSTOMERS = 1_200;
const ERP_ERRORS = [
  ["GL_PERIOD_CLOSED", "Accounting period is closed for posting"],
  ["ACCOUNT_MISSING", "Revenue account 4000-200 does not exist in the ledger"],
  ["RATE_LIMITED", "ERP API rate limit exceeded; retry later"],
  ["TIMEOUT", "ERP did not answer within 30 s"],
] as const;
const RECONCILIATION_KINDS = ["usage_vs_billing", "billing_vs_erp", "payments_vs_ar"] as const;

const SOURCE = {
  usage: "urn:acme:usage-pipeline",
  billing: "urn:acme:billing",
  erp: "urn:acme:erp-connector",
  payments: "urn:acme:payments",
  product: "urn:acme:entitlements",
  reconciliation: "urn:acme:reconciliation",
  crm: "urn:acme:crm",
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse("2025-10-01T00:00:00Z");

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const monthStart = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};
const nextMonth = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/**
 * Returns `count` events with ids unique within the seed; `idPrefix` keeps separate streams
 * (a warm-up, the measured run) from colliding.
 */
export function generateEvents(count: number, seed: number, idPrefix = "bench"): BenchEvent[] {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const customer = (n: number) => ({
    id: `cus_${String(n).padStart(4, "0")}`,
    entity: ENTITIES[n % ENTITIES.length]!,
  });

  const events: BenchEvent[] = [];
  const invoices: { id: string; customer: number; amount: number }[] = [];
  const failedPostings: {
    postingId: string;
    invoiceId: string;
    entity: string;
    attempt: number;
  }[] = [];
  const checkpointWindows: { entity: string; meter: string; start: number; expected: number }[] =
    [];
  let clock = START;
  let usageWindow = 0;
  let postings = 0;
  let payments = 0;
  /** Payments the product has not acted on yet; most get an entitlement update naming them. */
  const unentitled: { paymentId: string; customerId: string }[] = [];

  const push = (type: EventType, source: string, data: Record<string, unknown>) => {
    events.push(benchEvent(type, `${idPrefix}-${seed}-${events.length}`, source, iso(clock), data));
  };

  const issueInvoice = () => {
    const n = between(0, CUSTOMERS - 1);
    const { id: customerId, entity } = customer(n);
    const periodStart = monthStart(clock - DAY);
    const invoice = {
      id: `INV-${seed}-${invoices.length}`,
      customer: n,
      amount: between(5_000, 2_500_000),
    };
    invoices.push(invoice);
    push("invoice.issued", SOURCE.billing, {
      invoiceId: invoice.id,
      customerId,
      entity: entity.code,
      currency: entity.currency,
      amountMinor: invoice.amount,
      periodStart: iso(periodStart),
      periodEnd: iso(nextMonth(periodStart)),
      issuedAt: iso(clock),
    });
    return invoice;
  };
  const someInvoice = () => (invoices.length > 0 ? pick(invoices) : issueInvoice());

  const generators: Record<EventType, () => void> = {
    "usage.checkpoint": () => {
      // One in twenty re-reports an earlier window with later counts, superseding it.
      if (checkpointWindows.length > 0 && random() < 0.05) {
        const w = pick(checkpointWindows);
        push("usage.checkpoint", SOURCE.usage, {
          entity: w.entity,
          meter: w.meter,
          windowStart: iso(w.start),
          windowEnd: iso(w.start + HOUR),
          expectedCount: w.expected,
          receivedCount: w.expected,
          rejectedCount: 0,
        });
        return;
      }
      const entity = ENTITIES[usageWindow % ENTITIES.length]!.code;
      const meter = METERS[Math.floor(usageWindow / ENTITIES.length) % METERS.length]!;
      const start = START + Math.floor(usageWindow / (ENTITIES.length * METERS.length)) * HOUR;
      usageWindow++;
      // A checkpoint is reported once its window has ended.
      clock = Math.max(clock, start + HOUR + between(60_000, 600_000));
      const expected = between(1_000, 250_000);
      const lost = random() < 0.1 ? between(1, Math.ceil(expected / 50)) : 0;
      const rejected = random() < 0.2 ? between(1, 40) : 0;
      if (checkpointWindows.length < 5_000)
        checkpointWindows.push({ entity, meter, start, expected });
      else
        checkpointWindows[between(0, checkpointWindows.length - 1)] = {
          entity,
          meter,
          start,
          expected,
        };
      push("usage.checkpoint", SOURCE.usage, {
        entity,
        meter,
        windowStart: iso(start),
        windowEnd: iso(start + HOUR),
        expectedCount: expected,
        receivedCount: expected - lost - rejected,
        ...(rejected > 0 ? { rejectedCount: rejected } : {}),
      });
    },
    "erp.posting.attempted": () => {
      // Retries of earlier failures are a good share of ERP traffic; most retries succeed.
      const retry = failedPostings.length > 0 && random() < 0.3;
      const posting = retry
        ? failedPostings.splice(between(0, failedPostings.length - 1), 1)[0]!
        : (() => {
            const invoice = someInvoice();
            return {
              postingId: `PST-${seed}-${postings++}`,
              invoiceId: invoice.id,
              entity: customer(invoice.customer).entity.code,
              attempt: 0,
            };
          })();
      posting.attempt++;
      const failed = random() < (posting.attempt === 1 ? 0.12 : 0.35) && posting.attempt < 5;
      const [errorCode, errorMessage] = pick(ERP_ERRORS);
      push("erp.posting.attempted", SOURCE.erp, {
        postingId: posting.postingId,
        invoiceId: posting.invoiceId,
        entity: posting.entity,
        attempt: posting.attempt,
        status: failed ? "failed" : "succeeded",
        attemptedAt: iso(clock),
        ...(failed ? { errorCode, errorMessage } : {}),
      });
      if (failed) failedPostings.push(posting);
    },
    "invoice.issued": () => void issueInvoice(),
    "payment.received": () => {
      const invoice = someInvoice();
      const { id: customerId, entity } = customer(invoice.customer);
      const paymentId = `pay_${seed}_${payments++}`;
      unentitled.push({ paymentId, customerId });
      push("payment.received", SOURCE.payments, {
        paymentId,
        customerId,
        ...(random() < 0.9 ? { invoiceId: invoice.id } : {}),
        currency: entity.currency,
        amountMinor: random() < 0.92 ? invoice.amount : between(1, invoice.amount),
        receivedAt: iso(clock),
      });
    },
    "entitlement.updated": () => {
      const paid = unentitled.length > 0 && random() < 0.9 ? unentitled.shift()! : null;
      const status =
        paid || random() < 0.5 ? "active" : random() < 0.7 ? "restricted" : "suspended";
      push("entitlement.updated", SOURCE.product, {
        customerId: paid?.customerId ?? customer(between(0, CUSTOMERS - 1)).id,
        status,
        ...(paid ? { paymentId: paid.paymentId } : {}),
        updatedAt: iso(clock),
      });
    },
    "reconciliation.result": () => {
      const n = between(0, CUSTOMERS - 1);
      const { id: customerId, entity } = customer(n);
      const kind = pick(RECONCILIATION_KINDS);
      const periodStart = monthStart(clock - DAY);
      const expected = between(0, 2_000_000);
      const broken = random() < 0.03;
      push("reconciliation.result", SOURCE.reconciliation, {
        runId: `rec-${iso(periodStart).slice(0, 7)}-${entity.code}-${kind}-${Math.floor(clock / DAY)}`,
        kind,
        entity: entity.code,
        periodStart: iso(periodStart),
        periodEnd: iso(nextMonth(periodStart)),
        key: customerId,
        currency: entity.currency,
        expectedMinor: expected,
        actualMinor: broken ? expected - between(101, 50_000) : expected,
        toleranceMinor: 100,
      });
    },
    "invoice.disputed": () => {
      const invoice = someInvoice();
      push("invoice.disputed", SOURCE.crm, {
        invoiceId: invoice.id,
        reason: pick([
          "Usage double-counted",
          "Seats billed after cancellation",
          "Wrong tax rate applied",
        ]),
        ...(random() < 0.6 ? { amountMinor: between(1, invoice.amount) } : {}),
      });
    },
    "contract.amended": () => {
      const n = between(0, CUSTOMERS - 1);
      const { id: customerId, entity } = customer(n);
      push("contract.amended", SOURCE.crm, {
        contractId: `ctr_${String(n).padStart(4, "0")}`,
        customerId,
        entity: entity.code,
        // A third of amendments reach back into the previous month: retroactive.
        effectiveFrom: iso(
          random() < 0.33 ? monthStart(monthStart(clock) - DAY) : monthStart(clock),
        ),
        amendedAt: iso(clock),
        currency: entity.currency,
        amountImpactMinor: between(-500_000, 500_000),
      });
    },
    // Reports on approved corrections follow people's decisions, which a telemetry bench has
    // none of (it carries no weight above, so it is never drawn).
    "correction.executed": () => undefined,
    // Rates are a few events a day in real life, nothing to measure ingestion by; drawing them
    // would also change every benchmark database generated since. So no weight either.
    "fx.rate": () => undefined,
  };

  while (events.length < count) {
    // About 22 events per hour: the twelve hourly usage series are a little over half of them.
    clock += between(60_000, 270_000);
    let roll = random();
    const type = TYPE_WEIGHTS.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? "usage.checkpoint";
    generators[type]();
  }
  return events.slice(0, count);
}

/**
 * The soak's event source (bench/soak.ts): batches of the generator's events, each event's
 * `time` re-set to 0–2 s before the batch is made, as a live sender would send them.
 */
export function liveBatches(size: number): () => BenchEvent[] {
  let pending: BenchEvent[] = [];
  let chunkNo = 0;
  return () => {
    if (pending.length < size) {
      pending = pending.concat(generateEvents(20_000, 1000 + chunkNo, `soak${chunkNo}`));
      chunkNo++;
    }
    const batch = pending.splice(0, size);
    const now = Date.now();
    for (const event of batch) {
      event.time = new Date(now - Math.floor(Math.random() * 2_000)).toISOString();
    }
    return batch;
  };
}
