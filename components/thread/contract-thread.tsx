import Link from "next/link";
import { StatusBadge } from "@/components/exceptions/badges";
import { DateTime } from "@/components/ui/date-time";
import type { ContractThread } from "@/lib/contract/thread-api";
import { formatMoney } from "@/lib/format";

/** A contract's amendments, each with the invoices and accounting periods it reaches. */
export function ContractThreadView({ thread }: { thread: ContractThread }) {
  return (
    <>
      <h1 style={{ marginBottom: "0.25rem" }}>{`Contract ${thread.contractId}`}</h1>
      <p style={{ marginTop: 0 }}>
        Customer <Link href={thread.customerHref}>{thread.customerId}</Link>
        {` · ${thread.amendments.length} amendment${thread.amendments.length === 1 ? "" : "s"}`}
      </p>
      {thread.amendments.map((a) => (
        <section key={a.href} className="card" data-testid="contract-amendment">
          <h2 style={{ marginTop: 0 }}>
            {`Amendment of ${formatMoney(a.amountImpactMinor, a.currency)} effective `}
            <DateTime value={a.effectiveFrom} />
          </h2>
          <p>
            {`${a.entity} · made `}
            <DateTime value={a.amendedAt} />
            {a.retroactive ? " · retroactive" : ""} · <Link href={a.href}>raw event</Link>
            {a.exception ? (
              <>
                {" · "}
                <Link href={a.exception.href}>exception</Link>{" "}
                <StatusBadge status={a.exception.status} />
              </>
            ) : null}
          </p>
          <h3>Invoices it touches</h3>
          {a.invoices.length === 0 ? (
            <p className="muted">No invoice for this customer and entity is billed from then.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Invoice</th>
                  <th scope="col">Period</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Issued</th>
                </tr>
              </thead>
              <tbody>
                {a.invoices.map((i) => (
                  <tr key={i.invoiceId}>
                    <td>
                      <Link href={i.href}>{i.invoiceId}</Link>
                    </td>
                    <td>
                      <DateTime value={i.periodStart} /> – <DateTime value={i.periodEnd} />
                    </td>
                    <td>{formatMoney(i.amountMinor, i.currency)}</td>
                    <td>
                      <DateTime value={i.issuedAt} />
                      {i.billedBeforeAmendment ? " (on the old terms)" : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {a.invoicesTruncated ? <p className="muted">More invoices follow.</p> : null}
          <h3>Accounting periods it reaches</h3>
          {a.periods.length === 0 ? (
            <p className="muted">No accounting period is recorded for this span.</p>
          ) : (
            <ul>
              {a.periods.map((p) => (
                <li key={p.periodStart}>
                  <DateTime value={p.periodStart} /> – <DateTime value={p.periodEnd} />
                  {p.closed ? " (closed)" : " (open)"}
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}
