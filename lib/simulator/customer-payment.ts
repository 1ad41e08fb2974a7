import type { Customer } from "./company";
import { SOURCES, billingEvent, simEvent, type SimEvent } from "./events";
import type { Rng } from "./prng";
import { DAY, HOUR, MINUTE, SECOND, iso, startOfDay } from "./time";

/*
 * The customer's side of an invoice: the odd dispute, then payment by card on issue or by
 * bank transfer around the due date (or late, or never).
 */

export interface PaymentFact {
  paymentId: string;
  receivedAt: number;
  amountMinor: number;
  /** Whether cash application could match it to the invoice (remittance advice present). */
  applied: boolean;
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

/** The issued invoice, as the customer receives it. */
export interface InvoiceToPay {
  customer: Customer;
  invoiceId: string;
  issuedAt: number;
  dueAt: number;
  amountMinor: number;
  billedUsageMinor: number;
}

export interface Dispute {
  /** The amount the customer withholds; the whole invoice when fully disputed. */
  disputedMinor: number;
  fullyDisputed: boolean;
  events: SimEvent[];
}

/** Whether the customer disputes the invoice (always when `forced`), and for how much. */
export function disputeInvoice(
  rng: Rng,
  invoice: InvoiceToPay,
  forced: boolean | undefined,
): Dispute {
  const { customer, invoiceId, issuedAt, amountMinor, billedUsageMinor } = invoice;
  const events: SimEvent[] = [];
  let disputedMinor = 0;
  let fullyDisputed = false;
  if (amountMinor > 0 && (rng.chance(0.004) || forced)) {
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
      billingEvent(rng, {
        type: "invoice.disputed",
        id: `dsp-${invoiceId}`,
        time: disputeAt,
        invoiceId,
        data: {
          invoiceId,
          reason,
          ...(fullyDisputed ? {} : { amountMinor: disputedMinor }),
          customerId: customer.id,
        },
      }),
    );
  }
  return { disputedMinor, fullyDisputed, events };
}

/**
 * The customer's payment of what is not disputed, if it comes, and when the payments system
 * delivers it to listeners (`paymentDeliveredAt`, 0 when there is no payment).
 */
export function payInvoice(
  rng: Rng,
  invoice: InvoiceToPay,
  dispute: Dispute,
): { payment: PaymentFact | null; paymentDeliveredAt: number; events: SimEvent[] } {
  const { customer, invoiceId, issuedAt, dueAt, amountMinor } = invoice;
  const { disputedMinor, fullyDisputed } = dispute;
  const { entity } = customer;
  const events: SimEvent[] = [];
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
  return { payment, paymentDeliveredAt, events };
}
