import type { CorrectionView } from "./corrections";

/*
 * Where a correction stands, in the words the exception page uses. The exception's own
 * status follows the same steps (lib/corrections/corrections.ts): awaiting approval, then
 * awaiting the target system's confirmation, then resolved — or back to open when the
 * correction is rejected or the target system reports it failed.
 */

export type CorrectionStage =
  "awaiting_approval" | "awaiting_confirmation" | "confirmed" | "failed" | "rejected";

export const STAGE_LABELS: Record<CorrectionStage, string> = {
  awaiting_approval: "Awaiting approval",
  awaiting_confirmation: "Approved · awaiting confirmation",
  confirmed: "Carried out · confirmed",
  failed: "Approved · failed in the target system",
  rejected: "Rejected",
};

export function correctionStage(c: Pick<CorrectionView, "status" | "execution">): CorrectionStage {
  if (c.status === "pending_approval") return "awaiting_approval";
  if (c.status === "rejected") return "rejected";
  if (!c.execution) return "awaiting_confirmation";
  return c.execution.status === "executed" ? "confirmed" : "failed";
}

/** Whether a correction still stands for its exception, so no other may be proposed. */
export function inFlight(c: Pick<CorrectionView, "status" | "execution">): boolean {
  const stage = correctionStage(c);
  return stage === "awaiting_approval" || stage === "awaiting_confirmation";
}
