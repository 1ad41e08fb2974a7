import Link from "next/link";
import type { ReactNode } from "react";
import { customerThreadHref, invoiceThreadHref } from "@/lib/thread/vocabulary";

/* Links to a revenue thread from wherever an invoice or a customer id is shown. */

export function InvoiceThreadLink({
  invoiceId,
  children,
}: {
  invoiceId: string;
  children?: ReactNode;
}) {
  return (
    <Link href={invoiceThreadHref(invoiceId)} data-thread-link="invoice">
      {children ?? invoiceId}
    </Link>
  );
}

export function CustomerThreadLink({
  customerId,
  children,
}: {
  customerId: string;
  children?: ReactNode;
}) {
  return (
    <Link href={customerThreadHref(customerId)} data-thread-link="customer">
      {children ?? customerId}
    </Link>
  );
}

/** "Follow the money" links for a record that names an invoice, a customer, or both. */
export function ThreadLinks({
  invoiceId,
  customerId,
}: {
  invoiceId: string | null | undefined;
  customerId: string | null | undefined;
}) {
  if (!invoiceId && !customerId) return null;
  return (
    <p style={{ margin: "0.5rem 0 0" }} data-testid="thread-links">
      Follow the money:{" "}
      {invoiceId ? (
        <InvoiceThreadLink invoiceId={invoiceId}>thread of invoice {invoiceId}</InvoiceThreadLink>
      ) : null}
      {invoiceId && customerId ? " · " : null}
      {customerId ? (
        <CustomerThreadLink customerId={customerId}>
          thread of customer {customerId}
        </CustomerThreadLink>
      ) : null}
    </p>
  );
}
