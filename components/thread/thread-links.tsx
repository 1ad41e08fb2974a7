import Link from "next/link";
import type { ReactNode } from "react";
import { contractThreadHref, customerThreadHref, invoiceThreadHref } from "@/lib/thread/vocabulary";

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

/** "Follow the money" links for a record that names an invoice, a customer, a contract. */
export function ThreadLinks({
  invoiceId,
  customerId,
  contractId,
}: {
  invoiceId: string | null | undefined;
  customerId: string | null | undefined;
  contractId?: string | null;
}) {
  const links = [
    invoiceId ? (
      <InvoiceThreadLink key="invoice" invoiceId={invoiceId}>
        thread of invoice {invoiceId}
      </InvoiceThreadLink>
    ) : null,
    customerId ? (
      <CustomerThreadLink key="customer" customerId={customerId}>
        thread of customer {customerId}
      </CustomerThreadLink>
    ) : null,
    contractId ? (
      <Link key="contract" href={contractThreadHref(contractId)} data-thread-link="contract">
        thread of contract {contractId}
      </Link>
    ) : null,
  ].filter((link) => link !== null);
  if (links.length === 0) return null;
  return (
    <p style={{ margin: "0.5rem 0 0" }} data-testid="thread-links">
      Follow the money:{" "}
      {links.map((link, i) => (
        <span key={link.key}>
          {i > 0 ? " · " : null}
          {link}
        </span>
      ))}
    </p>
  );
}
