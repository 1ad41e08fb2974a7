import type { Db } from "@/db/client";
import type { PendingApproval } from "@/db/queries/close";

/**
 * Correction proposals of the entity waiting for an approver. Corrections (issue 5) are not in
 * this codebase yet; when they are, their pending proposals count here as well.
 */
export async function pendingCorrectionApprovals(
  _db: Db,
  _entity: string,
): Promise<PendingApproval[]> {
  return [];
}
