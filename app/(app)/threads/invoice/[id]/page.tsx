import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { ThreadExceptions, ThreadTimeline } from "@/components/thread/thread-timeline";
import styles from "@/components/thread/thread.module.css";
import { guardPage } from "@/lib/auth/session";
import { formatMoney } from "@/lib/format";
import { loadInvoiceThread } from "@/lib/thread/load";
import { customerThreadHref } from "@/lib/thread/vocabulary";
import { DateTime } from "@/components/ui/date-time";

export const metadata: Metadata = { title: "Invoice thread" };

/** Where one invoice's money is: usage → invoice → ERP → payment → entitlement. */
export default async function InvoiceThreadPage({ params }: { params: Promise<{ id: string }> }) {
  await guardPage("/threads/invoice/[id]");
  const { id } = await params;
  const thread = await loadInvoiceThread(await getDb(), id);
  if (!thread) notFound();
  const { invoice } = thread;
  return (
    <>
      <div>
        <p style={{ margin: "0 0 0.5rem" }}>
          <Link href={customerThreadHref(invoice.customerId)}>← Customer {invoice.customerId}</Link>
        </p>
        <h1 style={{ overflowWrap: "anywhere" }}>Invoice {invoice.invoiceId}</h1>
        <p className="muted">
          {formatMoney(invoice.amountMinor, invoice.currency)} · {invoice.entity} · billing period{" "}
          <DateTime value={invoice.periodStart} /> to <DateTime value={invoice.periodEnd} />
        </p>
        <p className={styles.sentence} data-testid="thread-sentence">
          {thread.sentence}
        </p>
      </div>
      <section className="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">The thread</h2>
        <ThreadTimeline thread={thread} />
      </section>
      <section className="card" aria-labelledby="exceptions-heading">
        <h2 id="exceptions-heading">Exceptions on this thread</h2>
        <ThreadExceptions
          exceptions={thread.exceptions}
          empty="No exception names this invoice or its payments."
        />
      </section>
    </>
  );
}
