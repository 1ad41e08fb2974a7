import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { CustomerThreadView } from "@/components/thread/customer-thread";
import { guardPage } from "@/lib/auth/session";
import { customerRangeFromParams, loadCustomerThread } from "@/lib/thread/load";

export const metadata: Metadata = { title: "Customer thread" };

/** A customer's money over a range: is the customer entitled, and every invoice's thread. */
export default async function CustomerThreadPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await guardPage("/threads/customer/[id]");
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const now = new Date();
  const range = customerRangeFromParams(query, now);
  const thread = await loadCustomerThread(await getDb(), id, range, now);
  if (!thread) notFound();
  return (
    <>
      <p style={{ margin: 0 }}>
        <Link href="/exceptions">← Exceptions</Link>
      </p>
      <CustomerThreadView thread={thread} />
    </>
  );
}
