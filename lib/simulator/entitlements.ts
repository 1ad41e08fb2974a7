import type { Customer } from "./company";
import type { PaymentFact } from "./customer-payment";
import { SOURCES, simEvent, type SimEvent } from "./events";
import type { Rng } from "./prng";
import { DAY, HOUR, SECOND, iso, startOfDay } from "./time";

/*
 * The product's side of an invoice: the customer's entitlement restricted, suspended or made
 * active again as the product hears of the payment, or of its absence.
 */

/**
 * The entitlement.updated events one invoice causes. `paymentDeliveredAt` is when the
 * payments system delivered `payment` to the product.
 */
export function entitlementUpdates(
  rng: Rng,
  invoice: { customer: Customer; invoiceId: string; dueAt: number; yyyymm: string },
  fullyDisputed: boolean,
  payment: PaymentFact | null,
  paymentDeliveredAt: number,
): SimEvent[] {
  const { customer, invoiceId, dueAt, yyyymm } = invoice;
  const events: SimEvent[] = [];
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
  return events;
}
