import type { Customer } from "./company";
import { SOURCES, simEvent, type SimEvent } from "./events";
import { rngFor, type Rng } from "./prng";
import { DAY, HOUR, MINUTE, SECOND, iso, monthKey } from "./time";

/*
 * The ERP connector posting an invoice: sometimes failing, usually recovering on retry, now
 * and then stuck on master data that nobody fixes in time.
 */

export interface PostingOutcome {
  postingId: string;
  /** When the ERP accepted the invoice; null when it never did. */
  succeededAt: number | null;
  failedAttempts: number;
}

interface PostingError {
  code: string;
  transient: boolean;
  /** For data errors: chance that nobody fixes it and the posting stays failed. */
  staysFailed: number;
  weight: number;
  message: (chain: ChainContext) => string;
}

/** What an error message may name: the invoice and its customer. */
export interface ChainContext {
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

function chooseError(rng: Rng, customer: Customer): PostingError {
  const candidates = POSTING_ERRORS.filter(
    (e) => e.code !== "FX_RATE_MISSING" || customer.entity.currency !== "USD",
  );
  return rng.weighted(candidates.map((e) => [e, e.weight] as const));
}

/** The issued invoice, as the connector posts it. */
export interface InvoiceToPost extends ChainContext {
  periodEnd: number;
  amountMinor: number;
  /** The invoice's month (`202605`) and the customer's number (`0042`), as document numbers carry them. */
  yyyymm: string;
  number4: string;
}

/**
 * Every attempt to post one invoice, as erp.posting.attempted events, and how it ended. A
 * `stuck` posting fails on master data and stays failed: the month's scripted real problem.
 */
export function postToErp(
  rng: Rng,
  seed: number,
  invoice: InvoiceToPost,
  stuck: boolean | undefined,
): { posting: PostingOutcome; events: SimEvent[] } {
  const { customer, invoiceId, issuedAt, periodEnd, amountMinor, yyyymm, number4 } = invoice;
  const { entity } = customer;
  const context: ChainContext = invoice;
  const events: SimEvent[] = [];
  const postingId = `PST-${entity.short}-${yyyymm}-${number4}`;
  const attempts: { at: number; error: PostingError | null }[] = [];
  let at = issuedAt + rng.int(3, 25) * MINUTE + rng.int(0, 59) * SECOND;
  const outage = erpOutage(seed, periodEnd);
  if (outage && at >= outage.start && at < outage.end) {
    attempts.push({ at, error: ERP_UNAVAILABLE });
    at = outage.end + rng.int(5, 40) * MINUTE + rng.int(0, 59) * SECOND;
  }
  const firstFails = rng.chance(FIRST_ATTEMPT_FAILURE_RATE) || stuck;
  if (!firstFails) {
    attempts.push({ at, error: null });
  } else {
    let error = chooseError(rng, customer);
    if (stuck && error.transient) {
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
    } else if (rng.chance(error.staysFailed) || stuck) {
      // Someone retries once after a partial fix, then the posting is left failed: too late
      // for the month-end run, it is usually posted a week or so into the next month (the
      // controller reopens the period, master data is fixed), sometimes not at all.
      at += rng.int(2, 26) * HOUR;
      attempts.push({ at, error });
      // The month's scripted stuck posting stays failed: one real problem a month.
      if (!stuck && rng.chance(0.85)) {
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
  return { posting, events };
}
