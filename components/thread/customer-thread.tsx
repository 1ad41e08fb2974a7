import Link from "next/link";
import type { CustomerThread } from "@/lib/contract/thread-api";
import { formatMoney } from "@/lib/format";
import { invoiceThreadHref } from "@/lib/thread/vocabulary";
import { DateTime } from "@/components/ui/date-time";
import { ThreadExceptions, ThreadTimeline } from "./thread-timeline";
import styles from "./thread.module.css";

/*
 * A customer's thread: first the answer support is asked for (entitled, and if not why),
 * then what is open, then each invoice's thread over the range, amendments and disputes.
 */

const day = (iso: string) => iso.slice(0, 10);
/** The range's last day: `to` is excluded. */
const lastDay = (iso: string) => new Date(Date.parse(iso) - 1).toISOString().slice(0, 10);

export function CustomerThreadView({ thread }: { thread: CustomerThread }) {
  const { entitlement } = thread;
  const verdict =
    entitlement.entitled === null ? "Unknown" : entitlement.entitled ? "Entitled" : "Not entitled";
  return (
    <>
      <h1 style={{ overflowWrap: "anywhere" }}>Customer {thread.customerId}</h1>
      <section className="card" aria-labelledby="entitled-heading">
        <h2 id="entitled-heading">Is this customer entitled?</h2>
        <p className={styles.answer} data-testid="entitlement-answer">
          <strong>{verdict}.</strong> {entitlement.why}
        </p>
      </section>
      <section className="card" aria-labelledby="open-heading">
        <h2 id="open-heading">Open exceptions</h2>
        <ThreadExceptions
          exceptions={thread.openExceptions}
          empty="No open exception names this customer."
        />
      </section>
      <section className="card" aria-labelledby="invoices-heading">
        <h2 id="invoices-heading">Invoices and their threads</h2>
        <form method="get" className="form-row" style={{ alignItems: "end" }}>
          <label>
            Issued from <input type="date" name="from" defaultValue={day(thread.range.from)} />
          </label>
          <label>
            to <input type="date" name="to" defaultValue={lastDay(thread.range.to)} />
          </label>
          <button type="submit">Show</button>
        </form>
        {thread.invoices.length === 0 ? (
          <p className="muted">No invoice was issued to this customer in this range.</p>
        ) : null}
        {thread.invoicesTruncated ? (
          <p className="muted">
            Showing the {thread.invoices.length} newest invoices of the range; narrow it to see the
            rest.
          </p>
        ) : null}
        {thread.invoices.map((invoice) => (
          <article
            key={invoice.invoice.invoiceId}
            aria-labelledby={`inv-${invoice.invoice.invoiceId}`}
          >
            <h3 id={`inv-${invoice.invoice.invoiceId}`}>
              <Link href={invoiceThreadHref(invoice.invoice.invoiceId)}>
                Invoice {invoice.invoice.invoiceId}
              </Link>{" "}
              <span className="muted">
                {formatMoney(invoice.invoice.amountMinor, invoice.invoice.currency)}, issued{" "}
                <DateTime value={invoice.invoice.issuedAt} />
              </span>
            </h3>
            <p className={styles.sentence}>{invoice.sentence}</p>
            <ThreadTimeline thread={invoice} headingLevel={4} />
          </article>
        ))}
      </section>
      <section className="card" aria-labelledby="amendments-heading">
        <h2 id="amendments-heading">Contract amendments</h2>
        {thread.amendments.length === 0 ? (
          <p className="muted">No amendment names this customer.</p>
        ) : (
          <ul>
            {thread.amendments.map((a, i) => (
              <li key={i}>
                <Link href={a.href}>Contract {a.contractId}</Link> ({a.entity}):{" "}
                {formatMoney(a.amountImpactMinor, a.currency)} from{" "}
                <DateTime value={a.effectiveFrom} />, amended <DateTime value={a.amendedAt} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="disputes-heading">
        <h2 id="disputes-heading">Disputes</h2>
        {thread.disputes.length === 0 ? (
          <p className="muted">No dispute on this customer&apos;s invoices in the range.</p>
        ) : (
          <ul>
            {thread.disputes.map((d, i) => (
              <li key={i}>
                <Link href={d.href}>Invoice {d.invoiceId}</Link>: {d.reason} (
                <DateTime value={d.at} />)
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
