import Link from "next/link";
import type { ReactNode } from "react";
import { contractThreadHref, customerThreadHref, invoiceThreadHref } from "@/lib/thread/vocabulary";

/* Links to a revenue thread from wherever an invoice or a customer id is shown. */

/** The records a revenue thread can start from, and the address of each one's thread. */
const THREAD_HREF = {
  invoice: invoiceThreadHref,
  customer: customerThreadHref,
  contract: contractThreadHref,
} as const;

export type ThreadKind = keyof typeof THREAD_HREF;

/** A link to the thread of one invoice, customer or contract, named by its id unless told. */
export function ThreadLink({
  kind,
  id,
  children,
}: {
  kind: ThreadKind;
  id: string;
  children?: ReactNode;
}) {
  return (
    <Link href={THREAD_HREF[kind](id)} data-thread-link={kind}>
      {children ?? id}
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
    ["invoice", invoiceId],
    ["customer", customerId],
    ["contract", contractId],
  ] as const;
  const shown = links.filter((link): link is readonly [ThreadKind, string] => !!link[1]);
  if (shown.length === 0) return null;
  return (
    <p style={{ margin: "0.5rem 0 0" }} data-testid="thread-links">
      Follow the money:{" "}
      {shown.map(([kind, id], i) => (
        <span key={kind}>
          {i > 0 ? " · " : null}
          <ThreadLink kind={kind} id={id}>
            thread of {kind} {id}
          </ThreadLink>
        </span>
      ))}
    </p>
  );
}
