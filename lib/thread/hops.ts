import type {
  DisputeFacts,
  EntitlementFacts,
  InvoiceFacts,
  PaymentFacts,
  PostingAttemptFacts,
} from "@/db/queries/thread";
import type { ThreadHop, ThreadStage } from "@/lib/contract/thread-api";
import { formatCount, formatDuration, formatMoney, formatPercent } from "@/lib/format";
import { ENTITLEMENT_OVERDUE_AFTER_MS } from "@/lib/kpi/definitions";
import type { KpiTargets } from "@/lib/kpi/targets";
import { STAGE_LABELS, STATUS_WORDS, eventHref } from "./vocabulary";

/*
 * The revenue thread's rules: one hop per stage (usage → invoice → ERP posting → payment →
 * entitlement), each with the instant it was reached, its duration from the nearest earlier
 * hop that was reached, the KPI target that duration is held to (lib/kpi/targets.ts) and a
 * status:
 *
 * - usage: the completeness (Σ received / Σ expected) of the checkpoints of the invoice's
 *   entity whose window ends in its billing period, the usage completeness KPI's own sums.
 *   Below the completeness target: late (the invoice may miss usage). No checkpoints:
 *   not applicable. Period not over yet: pending. Reached at the period's end.
 * - invoice: issued at issuedAt, issuedAt − periodEnd held to the invoice latency target.
 * - ERP posting: done at the first successful attempt; stuck when every attempt failed (the
 *   latest failure is the one nothing came after); pending before any attempt. No posting
 *   latency target is configured, so a posting is never late.
 * - payment: done when payments in the invoice's currency cover its amount, at the payment
 *   that completed it; pending until then (no due date is known, so never overdue); not
 *   applicable for an invoice of zero.
 * - entitlement: the first update naming the payment hop's payment, held to the
 *   payment-to-entitlement target; none more than ENTITLEMENT_OVERDUE_AFTER_MS after the
 *   payment: stuck (the KPI's "overdue"); before that, pending.
 */

export interface UsageMeterFacts {
  source: string;
  meter: string;
  expected: number;
  received: number;
  missing: number;
}

export interface ThreadFacts {
  invoice: InvoiceFacts;
  usage: UsageMeterFacts[];
  attempts: PostingAttemptFacts[];
  payments: PaymentFacts[];
  entitlementUpdates: EntitlementFacts[];
  disputes: DisputeFacts[];
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

type HopDraft = Omit<ThreadHop, "durationMs" | "label">;

function usageHop(f: ThreadFacts, targets: KpiTargets, now: Date): HopDraft {
  const { invoice } = f;
  const items = f.usage.map((m) => ({
    label: `${m.meter} (${m.source})`,
    detail: `${formatCount(m.received)} of ${formatCount(m.expected)} expected records received${m.missing > 0 ? `, ${formatCount(m.missing)} missing` : ""}`,
    at: null,
    href: null,
  }));
  const threshold = targets.usageCompleteness;
  const target = threshold ? `≥ ${formatPercent(threshold.ok, 1)}` : null;
  const base = { stage: "usage" as const, targetMs: null, target, items };
  if (invoice.periodEnd.getTime() > now.getTime())
    return {
      ...base,
      status: "pending",
      at: null,
      summary: "The billing period has not ended; usage is still arriving",
    };
  if (f.usage.length === 0)
    return {
      ...base,
      status: "not_applicable",
      at: null,
      summary: `No usage checkpoints for ${invoice.entity} in the billing period`,
    };
  const expected = f.usage.reduce((s, m) => s + m.expected, 0);
  const received = f.usage.reduce((s, m) => s + m.received, 0);
  const missing = f.usage.reduce((s, m) => s + m.missing, 0);
  const ratio = expected === 0 ? 1 : received / expected;
  const late = threshold !== null && ratio < threshold.ok;
  return {
    ...base,
    status: late ? "late" : "done",
    at: iso(invoice.periodEnd),
    summary: `${formatPercent(ratio, 2)} of expected usage arrived (${formatCount(missing)} records missing)${late ? `, below the ${target} target: the invoice may miss usage` : ""}`,
  };
}

function invoiceHop(f: ThreadFacts, targets: KpiTargets): HopDraft {
  const { invoice } = f;
  const latency = invoice.issuedAt.getTime() - invoice.periodEnd.getTime();
  const targetMs = targets.invoiceLatencyP95?.ok ?? null;
  const late = targetMs !== null && latency > targetMs;
  const items = [
    {
      label: invoice.invoiceId,
      detail: `${formatMoney(invoice.amountMinor, invoice.currency)} issued to ${invoice.customerId}`,
      at: iso(invoice.issuedAt),
      href: eventHref(invoice.eventSeq),
    },
    ...f.disputes.map((d) => ({
      label: "Dispute",
      detail: `${d.amountMinor !== null ? `${formatMoney(d.amountMinor, invoice.currency)}: ` : ""}${d.reason}`,
      at: iso(d.at),
      href: eventHref(d.eventSeq),
    })),
  ];
  return {
    stage: "invoice",
    status: late ? "late" : "done",
    at: iso(invoice.issuedAt),
    targetMs,
    target: targetMs !== null ? `≤ ${formatDuration(targetMs)} after the period ends` : null,
    summary: `Issued ${formatDuration(latency)} after the billing period ended${late ? `, over the ${formatDuration(targetMs)} target` : ""}`,
    items,
  };
}

/** "once", "twice", "3 times". */
function times(n: number): string {
  return n === 1 ? "once" : n === 2 ? "twice" : `${n} times`;
}

function postingHop(f: ThreadFacts): HopDraft {
  const attempts = f.attempts;
  const items = attempts.map((a) => ({
    label: `${a.postingId}, attempt ${a.attempt}`,
    detail:
      a.status === "succeeded"
        ? "Posted"
        : `Failed: ${a.errorCode ?? "no error code"}${a.errorMessage ? ` (${a.errorMessage})` : ""}`,
    at: iso(a.attemptedAt),
    href: eventHref(a.eventSeq),
  }));
  const base = { stage: "erp_posting" as const, targetMs: null, target: null, items };
  const success = attempts.find((a) => a.status === "succeeded");
  const failures = attempts.filter((a) => a.status === "failed");
  const codes = [...new Set(failures.map((a) => a.errorCode ?? "no error code"))].join(", ");
  if (success) {
    const before = failures.filter((a) => a.attemptedAt <= success.attemptedAt).length;
    return {
      ...base,
      status: "done",
      at: iso(success.attemptedAt),
      summary:
        before === 0
          ? `Posted to the ERP first time (${success.postingId})`
          : `Posted to the ERP after failing ${times(before)}: ${codes}`,
    };
  }
  if (failures.length > 0)
    return {
      ...base,
      status: "stuck",
      at: iso(failures.at(-1)!.attemptedAt),
      summary: `ERP posting failed ${times(failures.length)}: ${codes}`,
    };
  return { ...base, status: "pending", at: null, summary: "No ERP posting attempt yet" };
}

/** The payments that count against the invoice (its currency), and the one that completed it. */
function paymentsOf(f: ThreadFacts) {
  const counted = f.payments.filter((p) => p.currency === f.invoice.currency);
  let paid = 0;
  let completing: PaymentFacts | null = null;
  for (const p of counted) {
    paid += p.amountMinor;
    if (!completing && paid >= f.invoice.amountMinor) completing = p;
  }
  return { counted, paid, completing };
}

function paymentHop(f: ThreadFacts): HopDraft {
  const { invoice } = f;
  const { paid, completing } = paymentsOf(f);
  const items = f.payments.map((p) => ({
    label: p.paymentId,
    detail: `${formatMoney(p.amountMinor, p.currency)} received${p.currency !== invoice.currency ? ` (not in the invoice's ${invoice.currency}: not counted)` : ""}`,
    at: iso(p.receivedAt),
    href: eventHref(p.eventSeq),
  }));
  const base = { stage: "payment" as const, targetMs: null, target: null, items };
  if (invoice.amountMinor === 0)
    return { ...base, status: "not_applicable", at: null, summary: "Nothing to pay" };
  if (completing)
    return {
      ...base,
      status: "done",
      at: iso(completing.receivedAt),
      summary: `Paid in full (${formatMoney(paid, invoice.currency)})`,
    };
  const latest = f.payments.at(-1);
  return {
    ...base,
    status: "pending",
    at: null,
    summary:
      paid > 0
        ? `${formatMoney(paid, invoice.currency)} of ${formatMoney(invoice.amountMinor, invoice.currency)} paid; latest payment ${latest?.paymentId ?? ""}`
        : "No payment received yet",
  };
}

/** The payment whose entitlement update the thread waits for: the completing one, else the latest. */
function paymentToFollow(f: ThreadFacts): PaymentFacts | null {
  const { counted, completing } = paymentsOf(f);
  return completing ?? counted.at(-1) ?? null;
}

function entitlementHop(f: ThreadFacts, payment: HopDraft, targets: KpiTargets, now: Date) {
  const targetMs = targets.entitlementSyncP95?.ok ?? null;
  const items = f.entitlementUpdates.map((u) => ({
    label: `Set to ${u.status}`,
    detail: `For payment ${u.paymentId ?? "none"}${u.reason ? `; reason given: ${u.reason}` : ""}`,
    at: iso(u.updatedAt),
    href: eventHref(u.eventSeq),
  }));
  const base = {
    stage: "entitlement" as const,
    targetMs,
    target: targetMs !== null ? `≤ ${formatDuration(targetMs)} after the payment` : null,
    items,
  };
  if (payment.status === "not_applicable")
    return {
      ...base,
      status: "not_applicable" as const,
      at: null,
      summary: "No payment to follow",
    };
  const followed = paymentToFollow(f);
  if (!followed)
    return {
      ...base,
      status: "pending" as const,
      at: null,
      summary: "Waiting for a payment to update access for",
    };
  const update = f.entitlementUpdates.find((u) => u.paymentId === followed.paymentId);
  if (update) {
    const took = update.updatedAt.getTime() - followed.receivedAt.getTime();
    const late = targetMs !== null && took > targetMs;
    return {
      ...base,
      status: late ? ("late" as const) : ("done" as const),
      at: iso(update.updatedAt),
      summary: `Access set to ${update.status} ${formatDuration(took)} after payment ${followed.paymentId}${late ? `, over the ${formatDuration(targetMs)} target` : ""}`,
    };
  }
  const waited = now.getTime() - followed.receivedAt.getTime();
  const overdue = waited > ENTITLEMENT_OVERDUE_AFTER_MS;
  return {
    ...base,
    status: overdue ? ("stuck" as const) : ("pending" as const),
    at: null,
    summary: overdue
      ? `No entitlement update ${formatDuration(waited)} after payment ${followed.paymentId} (overdue after ${formatDuration(ENTITLEMENT_OVERDUE_AFTER_MS)})`
      : `Waiting for the entitlement update for payment ${followed.paymentId}`,
  };
}

/** The hops in stage order, each with its duration from the nearest earlier hop reached. */
export function buildHops(f: ThreadFacts, targets: KpiTargets, now: Date): ThreadHop[] {
  const payment = paymentHop(f);
  const drafts: HopDraft[] = [
    usageHop(f, targets, now),
    invoiceHop(f, targets),
    postingHop(f),
    payment,
    entitlementHop(f, payment, targets, now),
  ];
  // The invoice's duration is its latency even when usage is not applicable: the period's end.
  let previous: string | null = iso(f.invoice.periodEnd);
  return drafts.map((hop) => {
    const durationMs =
      hop.at !== null && previous !== null ? Date.parse(hop.at) - Date.parse(previous) : null;
    if (hop.at !== null) previous = hop.at;
    return {
      ...hop,
      label: STAGE_LABELS[hop.stage],
      durationMs: hop.stage === "usage" ? null : durationMs,
    };
  });
}

/** The first hop that is stuck or late: the one the thread highlights. */
export function firstTrouble(hops: readonly ThreadHop[]): ThreadHop | null {
  return hops.find((h) => h.status === "stuck" || h.status === "late") ?? null;
}

/** The stages as a sentence names them. */
const STAGE_NOUNS: Record<ThreadStage, string> = {
  usage: "usage",
  invoice: "the invoice",
  erp_posting: "the ERP posting",
  payment: "payment",
  entitlement: "entitlement",
};

/**
 * Where the money is, in one sentence: the first stuck or late hop and what the stages after
 * it are doing. Payments and entitlements follow the invoice, not its posting or its usage,
 * so a problem there leaves entitlement unblocked, and the sentence says so.
 */
export function threadSentence(hops: readonly ThreadHop[]): string {
  const trouble = firstTrouble(hops);
  if (!trouble) {
    const waiting = hops.find((h) => h.status === "pending");
    return waiting
      ? `Nothing is stuck; waiting on ${STAGE_NOUNS[waiting.stage]}: ${waiting.summary}.`
      : "Nothing is stuck: every stage is done or does not apply.";
  }
  const after = hops.slice(hops.indexOf(trouble) + 1);
  const rest = after.map((h) => `${STAGE_NOUNS[h.stage]} ${STATUS_WORDS[h.status]}`);
  const entitlement = hops.find((h) => h.stage === "entitlement");
  const consequence =
    trouble.stage === "entitlement"
      ? " — the customer's access has not followed their payment"
      : entitlement && (entitlement.status === "stuck" || entitlement.status === "late")
        ? ""
        : ` — neither payment nor entitlement waits on ${STAGE_NOUNS[trouble.stage]}: entitlement is not blocked`;
  return `${trouble.summary}${rest.length > 0 ? `; ${rest.join(", ")}` : ""}${consequence}.`;
}
