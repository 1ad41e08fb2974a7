import "server-only";
import { asc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { erpPostingAttempts } from "../schema";

/** Every attempt of one ERP posting, first to last: what came after a retried attempt. */
export async function postingAttemptsInOrder(db: Db, postingId: string) {
  return db
    .select({
      attempt: erpPostingAttempts.attempt,
      status: erpPostingAttempts.status,
      attemptedAt: erpPostingAttempts.attemptedAt,
      errorCode: erpPostingAttempts.errorCode,
    })
    .from(erpPostingAttempts)
    .where(eq(erpPostingAttempts.postingId, postingId))
    .orderBy(asc(erpPostingAttempts.attempt));
}
