import type { Amendment } from "./contracts";
import type { Company, Customer } from "./company";
import { disputeInvoice, payInvoice, type PaymentFact } from "./customer-payment";
import { entitlementUpdates } from "./entitlements";
import { postToErp, type PostingOutcome } from "./erp-posting";
import { billingEvent, type SimEvent } from "./events";
import { rngFor } from "./prng";
import { DAY, HOUR, MINUTE, SECOND, addMonths, iso, monthKey } from "./time";

/*
 * One customer's month, from invoice to cash: the billing run issues the invoice a few hours
 * after the period ends, the ERP connector posts it (sometimes failing, usually recovering on
 * retry), the customer pays by card on issue or by bank transfer around the due date, and
 * the product updates the customer's entitlement when it hears of the payment, or restricts
 * and later suspends a customer who has not paid.
 */

/** Latest event of a chain after its period ends (a 60-day-terms late payer, plus slack). */
export const MAX_CHAIN_SPAN = 100 * DAY;

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
    billingEvent(rng, {
      type: "invoice.issued",
      id: `inv-${invoiceId}`,
      time: issuedAt,
      invoiceId,
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

  const erp = postToErp(
    rng,
    company.seed,
    { customer, invoiceId, periodStart, issuedAt, periodEnd, amountMinor, yyyymm, number4 },
    script.postingStuck,
  );
  const toPay = { customer, invoiceId, issuedAt, dueAt, amountMinor, billedUsageMinor };
  const dispute = disputeInvoice(rng, toPay, script.disputed);
  const { payment, paymentDeliveredAt, ...paid } = payInvoice(rng, toPay, dispute);
  events.push(
    ...erp.events,
    ...dispute.events,
    ...paid.events,
    ...entitlementUpdates(
      rng,
      { customer, invoiceId, dueAt, yyyymm },
      dispute.fullyDisputed,
      payment,
      paymentDeliveredAt,
    ),
  );

  return {
    customer,
    periodStart,
    periodEnd,
    invoiceId,
    issuedAt,
    amountMinor,
    ratedUsageMinor,
    billedUsageMinor,
    posting: erp.posting,
    payment,
    events,
  };
}
