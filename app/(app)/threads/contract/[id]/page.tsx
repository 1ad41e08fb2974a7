import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { ContractThreadView } from "@/components/thread/contract-thread";
import { guardPage } from "@/lib/auth/session";
import { loadContractThread } from "@/lib/thread/contract";

export const metadata: Metadata = { title: "Contract thread" };

/** A contract's amendments and the invoices and periods they touch. */
export default async function ContractThreadPage({ params }: { params: Promise<{ id: string }> }) {
  await guardPage("/threads/contract/[id]");
  const { id } = await params;
  const thread = await loadContractThread(await getDb(), id, new Date());
  if (!thread) notFound();
  return <ContractThreadView thread={thread} />;
}
