import type { HopStatus, ThreadStage } from "@/lib/contract/thread-api";

/* The thread's stages and statuses in words, for the rules, the pages and the API alike. */

export const STAGE_LABELS: Record<ThreadStage, string> = {
  usage: "Usage",
  invoice: "Invoice",
  erp_posting: "ERP posting",
  payment: "Payment",
  entitlement: "Entitlement",
};

export const STATUS_WORDS: Record<HopStatus, string> = {
  done: "done",
  late: "late",
  stuck: "stuck",
  pending: "pending",
  not_applicable: "not applicable",
};

/** The pages a thread links to. */
export const eventHref = (seq: number) => `/events/${seq}`;
export const invoiceThreadHref = (invoiceId: string) =>
  `/threads/invoice/${encodeURIComponent(invoiceId)}`;
export const customerThreadHref = (customerId: string) =>
  `/threads/customer/${encodeURIComponent(customerId)}`;
export const contractThreadHref = (contractId: string) =>
  `/threads/contract/${encodeURIComponent(contractId)}`;
