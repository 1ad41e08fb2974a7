import type { Amendment } from "./contracts";
import type { Company, Customer } from "./company";
import { SOURCES, simEvent, type SimEvent } from "./events";
import { rngFor, type Rng } from "./prng";
import { DAY, HOUR, MINUTE, SECOND, addMonths, iso, monthKey, startOfDay } from "./time";

/*
 * One customer's month, from invoice to cash: the billing run issues the invoice a few hours
 * after the period ends, the ERP connector posts it (sometimes failing, usually recovering on
 * retry), the customer pays by card on issue or by bank transfer around the due date, and
 * the product updates the customer's entitlement when it hears of the payment, or restricts
 * and later suspends a customer who has not paid.
 */

/** Latest event of a chain after its period ends (a 60-day-terms late payer, plus slack). */
export const MAX_CHAIN_SPAN = 100 * DAY;

export interface PostingOutcome {
  postingId: string;
  /** When the ERP accepted the invoice; null when it never did. */
  succeededAt: number | null;
  failedAttempts: number;
}

export interface PaymentFact {
  paymentId: string;
  receivedAt: number;
  amountMinor: number;
  /** Whether cash application could match it to the invoice (remittance advice present). */
  applied: boolean;
}

export interface InvoiceChain {
  customer: Customer;
  periodStart: number;
  periodEnd: number;
  invoiceId: string;
  issuedAt: number;
  amountMinor: number;
  /** Usage as the metering platform rated it … */
  ratedUsageMinor: number;
  /** … and as the invoice billed it; they differ for the odd customer (late usage, double counting). */
  billedUsageMinor: number;
  posting: PostingOutcome;
  payment: PaymentFact | null;
  events: SimEvent[];
}

interface PostingError {
  code: string;
  transient: boolean;
  /** For data errors: chance that nobody fixes it and the posting stays failed. */
  staysFailed: number;
  weight: number;
  message: (chain: ChainContext) => string;
}

interface ChainContext {
  customer: Customer;
  invoiceId: string;
  periodStart: number;
  issuedAt: number;
}

const TAX_JURISDICTIONS: Record<string, readonly string[]> = {
  "ACME-US": ["US-TX", "US-WA", "US-NY", "US-CO"],
  "ACME-EU": ["DE", "FR", "NL", "IT", "ES"],
  "ACME-UK": ["GB", "GB-NIR"],
};

/*
 * The mix a NetSuite/SAP connector typically sees: most first-attempt failures are
 * transient (timeouts, API limits at the month-end rush) and clear on the automatic retry;
 * the rest are master-data problems that wait for a person, and some of those are never
 * fixed in time, which is what the billing-vs-ERP reconciliation then catches.
 */
const POSTING_ERRORS: readonly PostingError[] = [
  {
    code: "ERP_TIMEOUT",
    transient: true,
    staysFailed: 0,
    weight: 30,
    message: () => "ERP API did not answer within 30 s (POST /journalEntry)",
  },
  {
    code: "RATE_LIMITED",
    transient: true,
    staysFailed: 0,
    weight: 20,
    message: () => "ERP API concurrency limit reached (HTTP 429); retry after 60 s",
  },
  {
    code: "CUSTOMER_NOT_SYNCED",
    transient: false,
    staysFailed: 0.15,
    weight: 18,
    message: (c) =>
      `Customer ${c.customer.id} does not exist in ERP subsidiary ${c.customer.entity.code}`,
  },
  {
    code: "TAX_CODE_MISSING",
    transient: false,
    staysFailed: 0.25,
    weight: 12,
    message: (c) => {
      const jurisdictions = TAX_JURISDICTIONS[c.customer.entity.code]!;
      const j = jurisdictions[c.customer.number % jurisdictions.length];
      return `No tax code mapped for jurisdiction ${j} on invoice ${c.invoiceId}`;
    },
  },
  {
    code: "GL_PERIOD_CLOSED",
    transient: false,
    staysFailed: 0.45,
    weight: 10,
    message: (c) => `Accounting period ${monthKey(c.periodStart)} is closed for posting`,
  },
  {
    code: "DIMENSION_INACTIVE",
    transient: false,
    staysFailed: 0.3,
    weight: 6,
    message: (c) =>
      `Dimension 'Department' value 'SALES-${c.customer.entity.short}-${c.customer.plan.toUpperCase()}' is inactive`,
  },
  {
    code: "FX_RATE_MISSING",
    transient: false,
    staysFailed: 0.1,
    weight: 4,
    message: (c) =>
      `No ${c.customer.entity.currency}/USD rate for ${iso(c.issuedAt).slice(0, 10)} in the consolidation rate table`,
  },
];

const FIRST_ATTEMPT_FAILURE_RATE = 0.04;

const ERP_UNAVAILABLE: PostingError = {
  code: "ERP_UNAVAILABLE",
  transient: true,
  staysFailed: 0,
  weight: 0,
  message: () => "ERP API answered HTTP 503: scheduled maintenance overran",
};

/**
 * Some months the ERP goes down for half an hour or so during the billing run (a
 * maintenance window that overran): every posting tried meanwhile fails, and the connector
 * posts them all once the ERP is back. An incident that comes and goes, in the first hours
 * of the month.
 */
export function erpOutage(seed: number, runStart: number): { start: number; end: number } | null {
  const rng = rngFor(seed, "erp-outage", monthKey(runStart));
  if (!rng.chance(0.5)) return null;
  const start = runStart + 2 * HOUR + rng.int(60, 180) * MINUTE;
  return { start, end: start + rng.int(20, 45) * MINUTE };
}

const DISPUTE_REASONS: readonly { reason: string; share: "usage" | "fee" | "full" }[] = [
  { reason: "Usage double-counted during an outage window", share: "usage" },
  { reason: "API calls from a revoked key should not be billed", share: "usage" },
  { reason: "Contracted discount not applied to the platform fee", share: "fee" },
  { reason: "Seats billed after the downgrade took effect", share: "fee" },
  { reason: "Duplicate invoice for the same period", share: "full" },
  {
    reason: "Purchase order number missing; accounts payable cannot process the invoice",
    share: "full",
  },
];

/** Times of day are drawn in the customer's market and converted to UTC. */
function localBusinessTime(rng: Rng, day: number, customer: Customer): number {
  let start = startOfDay(day);
  const weekday = new Date(start).getUTCDay();
  if (weekday === 6) start += 2 * DAY;
  if (weekday === 0) start += DAY;
  return start + (rng.int(8, 16) - customer.entity.utcOffsetHours) * HOUR + rng.int(0, 59) * MINUTE;
}

/** Bank statements are imported every weekday morning at 06:00 UTC, covering the day before. */
function nextBankFileImport(rng: Rng, receivedAt: number): number {
  let day = startOfDay(receivedAt) + DAY;
  while ([0, 6].includes(new Date(day).getUTCDay())) day += DAY;
  return day + 6 * HOUR + rng.int(0, 25) * MINUTE + rng.int(0, 59) * SECOND;
}

function chooseError(rng: Rng, customer: Customer): PostingError {
  const candidates = POSTING_ERRORS.filter(
    (e) => e.code !== "FX_RATE_MISSING" || customer.entity.currency !== "USD",
  );
  return rng.weighted(candidates.map((e) => [e, e.weight] as const));
}

/**
 * Outcomes the month forces on one chain, so every month shows at least one dispute and one
 * posting that stays failed whatever the dice say (see Simulation.chains).
 */
export interface ChainScript {
  disputed?: boolean;
  postingStuck?: boolean;
}

export function invoiceChain(
  company: Company,
  customer: Customer,
  periodStart: number,
  amendments: readonly Amendment[],
  script: ChainScript = {},
): InvoiceChain {
  const rng = rngFor(company.seed, "invoice", customer.id, monthKey(periodStart));
  const periodEnd = addMonths(periodStart, 1);
  const { entity } = customer;
  const events: SimEvent[] = [];

  // --- The invoice -------------------------------------------------------------------------
  const ratedUsageMinor = Math.round(customer.usageMinor * rng.between(0.85, 1.15));
  let billedUsageMinor = ratedUsageMinor;
  if (rng.chance(0.008)) {
    // Usage that arrived after the billing cut-off, or a window counted twice.
    const difference = Math.max(250, Math.round(ratedUsageMinor * rng.between(0.02, 0.08)));
    billedUsageMinor = rng.chance(0.7)
      ? Math.max(0, ratedUsageMinor - difference)
      : ratedUsageMinor + difference;
  }
  const retroAdjustments = amendments.filter((a) => a.retroactive && a.customer.id === customer.id);
  const adjustmentMinor = retroAdjustments.reduce((sum, a) => sum + a.amountImpactMinor, 0);
  const amountMinor = Math.max(0, customer.planFeeMinor + billedUsageMinor + adjustmentMinor);

  // The billing run starts at 02:00 UTC; most invoices are out within hours, enterprise
  // invoices held for review take a day or more.
  const spread = rng.weighted<[number, number]>([
    [[5 * MINUTE, 3 * HOUR], 0.85],
    [[3 * HOUR, 12 * HOUR], 0.12],
    [[DAY, 3 * DAY], customer.plan === "enterprise" ? 0.25 : 0.03],
  ]);
  const issuedAt =
    periodEnd + 2 * HOUR + Math.round(rng.between(spread[0], spread[1]) / SECOND) * SECOND;
  const yyyymm = monthKey(periodStart).replace("-", "");
  const number4 = String(customer.number).padStart(4, "0");
  const invoiceId = `INV-${entity.short}-${yyyymm}-${number4}`;
  const dueAt = issuedAt + customer.termsDays * DAY;
  events.push(
    simEvent({
      source: SOURCES.billing,
      type: "invoice.issued",
      id: `inv-${invoiceId}`,
      time: issuedAt,
      deliverAt: issuedAt + rng.int(1, 40) * SECOND,
      subject: invoiceId,
      data: {
        invoiceId,
        customerId: customer.id,
        entity: entity.code,
        currency: entity.currency,
        amountMinor,
        periodStart: iso(periodStart),
        periodEnd: iso(periodEnd),
        issuedAt: iso(issuedAt),
        dueAt: iso(dueAt),
        customerName: customer.name,
        plan: customer.plan,
        lines: {
          platformFeeMinor: customer.planFeeMinor,
          usageMinor: billedUsageMinor,
          ...(adjustmentMinor !== 0 ? { contractAdjustmentMinor: adjustmentMinor } : {}),
        },
      },
    }),
  );
  const context: ChainContext = { customer, invoiceId, periodStart, issuedAt };

  // --- ERP posting -------------------------------------------------------------------------
  const postingId = `PST-${entity.short}-${yyyymm}-${number4}`;
  const attempts: { at: number; error: PostingError | null }[] = [];
  let at = issuedAt + rng.int(3, 25) * MINUTE + rng.int(0, 59) * SECOND;
  const outage = erpOutage(company.seed, periodEnd);
  if (outage && at >= outage.start && at < outage.end) {
    attempts.push({ at, error: ERP_UNAVAILABLE });
    at = outage.end + rng.int(5, 40) * MINUTE + rng.int(0, 59) * SECOND;
  }
  const firstFails = rng.chance(FIRST_ATTEMPT_FAILURE_RATE) || script.postingStuck;
  if (!firstFails) {
    attempts.push({ at, error: null });
  } else {
    let error = chooseError(rng, customer);
    if (script.postingStuck && error.transient) {
      error = POSTING_ERRORS.find((e) => e.code === "GL_PERIOD_CLOSED")!;
    }
    attempts.push({ at, error });
    if (error.transient) {
      // Automatic retries a few minutes apart until the ERP answers.
      while (attempts.length < 4 && rng.chance(0.15)) {
        at += rng.int(5, 30) * MINUTE;
        attempts.push({ at, error });
      }
      at += rng.int(5, 30) * MINUTE;
      attempts.push({ at, error: null });
    } else if (rng.chance(error.staysFailed) || script.postingStuck) {
      // Someone retries once after a partial fix, then the posting is left failed: too late
      // for the month-end run, it is usually posted a week or so into the next month (the
      // controller reopens the period, master data is fixed), sometimes not at all.
      at += rng.int(2, 26) * HOUR;
      attempts.push({ at, error });
      // The month's scripted stuck posting stays failed: one real problem a month.
      if (!script.postingStuck && rng.chance(0.85)) {
        at = Math.max(at, periodEnd + rng.int(6, 11) * DAY) + rng.int(0, 600) * MINUTE;
        attempts.push({ at, error: null });
      }
    } else {
      at += rng.int(2, 26) * HOUR;
      if (rng.chance(0.3)) {
        attempts.push({ at, error });
        at += rng.int(24, 72) * HOUR;
      }
      attempts.push({ at, error: null });
    }
  }
  attempts.forEach((attempt, i) => {
    const succeeded = attempt.error === null;
    events.push(
      simEvent({
        source: SOURCES.erp,
        type: "erp.posting.attempted",
        id: `pst-${postingId}-${i + 1}`,
        time: attempt.at,
        deliverAt: attempt.at + rng.int(1, 15) * SECOND,
        subject: invoiceId,
        data: {
          postingId,
          invoiceId,
          entity: entity.code,
          attempt: i + 1,
          status: succeeded ? "succeeded" : "failed",
          attemptedAt: iso(attempt.at),
          ...(attempt.error
            ? { errorCode: attempt.error.code, errorMessage: attempt.error.message(context) }
            : {
                erpDocumentNumber: `JE-${entity.short}-${yyyymm}-${String(customer.number * 7 + 100_000)}`,
              }),
          currency: entity.currency,
          amountMinor,
        },
      }),
    );
  });
  const lastAttempt = attempts[attempts.length - 1]!;
  const posting: PostingOutcome = {
    postingId,
    succeededAt: lastAttempt.error === null ? lastAttempt.at : null,
    failedAttempts: attempts.filter((a) => a.error !== null).length,
  };

  // --- Dispute -----------------------------------------------------------------------------
  let disputedMinor = 0;
  let fullyDisputed = false;
  if (amountMinor > 0 && (rng.chance(0.004) || script.disputed)) {
    const { reason, share } = rng.pick(DISPUTE_REASONS);
    const disputeAt = localBusinessTime(rng, issuedAt + rng.int(2, 12) * DAY, customer);
    if (share === "full") {
      fullyDisputed = true;
      disputedMinor = amountMinor;
    } else {
      const base = share === "usage" ? billedUsageMinor : customer.planFeeMinor;
      disputedMinor = Math.min(
        amountMinor,
        Math.max(100, Math.round(base * rng.between(0.15, 0.6))),
      );
    }
    events.push(
      simEvent({
        source: SOURCES.billing,
        type: "invoice.disputed",
        id: `dsp-${invoiceId}`,
        time: disputeAt,
        deliverAt: disputeAt + rng.int(1, 40) * SECOND,
        subject: invoiceId,
        data: {
          invoiceId,
          reason,
          ...(fullyDisputed ? {} : { amountMinor: disputedMinor }),
          customerId: customer.id,
        },
      }),
    );
  }

  // --- Payment -----------------------------------------------------------------------------
  // Bank payers may be late; a card is charged on issue and dunning retries a declined one.
  let receivedAt: number | null = null;
  let paymentDeliveredAt = 0;
  if (!fullyDisputed && amountMinor > 0) {
    if (customer.method === "card") {
      const chargeAt = issuedAt + rng.int(1, 10) * MINUTE + rng.int(0, 59) * SECOND;
      const declineChance = customer.behaviour === "punctual" ? 0.03 : 0.5;
      if (!rng.chance(declineChance)) receivedAt = chargeAt;
      else if (customer.behaviour !== "non_payer") {
        for (const retryDays of [3, 5, 9, 14]) {
          if (rng.chance(0.55)) {
            receivedAt = chargeAt + retryDays * DAY + rng.int(0, 120) * MINUTE;
            break;
          }
        }
      }
      if (receivedAt !== null) paymentDeliveredAt = receivedAt + rng.int(2, 45) * SECOND;
    } else {
      const payDay = (() => {
        switch (customer.behaviour) {
          case "punctual":
            return Math.max(issuedAt + DAY, dueAt - rng.between(0, customer.termsDays * 0.5) * DAY);
          case "slow":
            return dueAt + rng.between(0, 6) * DAY;
          case "late":
            return dueAt + rng.between(9, 28) * DAY;
          case "non_payer":
            return null;
        }
      })();
      if (payDay !== null) {
        receivedAt = localBusinessTime(rng, payDay, customer);
        paymentDeliveredAt = nextBankFileImport(rng, receivedAt);
      }
    }
  }

  let payment: PaymentFact | null = null;
  if (receivedAt !== null) {
    // Some bank payments arrive without remittance advice; cash application cannot match them.
    const applied = customer.method === "card" || !rng.chance(0.025);
    payment = {
      paymentId: `pay_${rng.token(14)}`,
      receivedAt,
      amountMinor: amountMinor - disputedMinor,
      applied,
    };
    events.push(
      simEvent({
        source: SOURCES.payments,
        type: "payment.received",
        id: payment.paymentId,
        time: receivedAt,
        deliverAt: paymentDeliveredAt,
        subject: customer.id,
        data: {
          paymentId: payment.paymentId,
          customerId: customer.id,
          ...(applied ? { invoiceId } : {}),
          currency: entity.currency,
          amountMinor: payment.amountMinor,
          receivedAt: iso(receivedAt),
          method: customer.method === "card" ? "card" : entity.bankRail,
        },
      }),
    );
  }

  // --- Entitlements ------------------------------------------------------------------------
  // The product hears of a payment when the payments system delivers it. It restricts a
  // customer 7 days past due and suspends at 21 days, in its nightly 03:00 UTC job; a
  // disputed invoice pauses dunning.
  const knownPaidAt = payment ? paymentDeliveredAt : Number.POSITIVE_INFINITY;
  const entitlement = (
    kind: "active" | "restricted" | "suspended",
    updatedAt: number,
    extra: Record<string, unknown>,
  ) =>
    simEvent({
      source: SOURCES.entitlements,
      type: "entitlement.updated",
      id: `ent-${customer.id}-${yyyymm}-${kind}`,
      time: updatedAt,
      deliverAt: updatedAt + rng.int(1, 8) * SECOND,
      subject: customer.id,
      data: {
        customerId: customer.id,
        status: kind,
        updatedAt: iso(updatedAt),
        invoiceId,
        ...extra,
      },
    });
  if (!fullyDisputed) {
    for (const [status, daysPastDue] of [
      ["restricted", 7],
      ["suspended", 21],
    ] as const) {
      const jobAt =
        startOfDay(dueAt + daysPastDue * DAY) + DAY + 3 * HOUR + rng.int(0, 600) * SECOND;
      if (jobAt < knownPaidAt) {
        events.push(entitlement(status, jobAt, { reason: `invoice_overdue_${daysPastDue}d` }));
      }
    }
  }
  if (payment) {
    // A webhook consumer that sometimes lags or drops a message: the product then keeps a
    // paying customer restricted, which is exactly the kind of thing to catch.
    const roll = rng.float();
    if (roll >= 0.015) {
      const delay =
        roll < 0.045 ? rng.int(1, 6) * HOUR + rng.int(0, 3599) * SECOND : rng.int(20, 150) * SECOND;
      events.push(
        entitlement("active", paymentDeliveredAt + delay, {
          paymentId: payment.paymentId,
          reason: "payment_received",
        }),
      );
    }
  }

  return {
    customer,
    periodStart,
    periodEnd,
    invoiceId,
    issuedAt,
    amountMinor,
    ratedUsageMinor,
    billedUsageMinor,
    posting,
    payment,
    events,
  };
}
