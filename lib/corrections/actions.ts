"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import type { RequestMeta } from "@/lib/audit";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { decideCorrection, proposeCorrection } from "@/lib/corrections/corrections";
import { Unauthenticated } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { parseMoneyInput } from "@/lib/money-input";
import { actionMeta } from "@/lib/server/request-meta";

/*
 * Server actions for the corrections panel. They are public endpoints: the role rules are
 * enforced by proposeCorrection / decideCorrection for whoever calls.
 */

async function signedInUser() {
  const user = await getCurrentUser();
  if (!user) throw new Unauthenticated("Your session has ended; sign in again");
  return user;
}

/**
 * A change made from the panel: as the signed-in person, then the exception's page is
 * refreshed. The answer carries when it was made, so the panel says the latest one.
 */
async function panelChange<R extends { exceptionId: string }, T>(
  change: (db: Db, user: CurrentUser, meta: RequestMeta) => Promise<R>,
  answer: (result: R) => T,
): Promise<ActionResult<T & { at: number }>> {
  return runAction(async () => {
    const user = await signedInUser();
    const result = await change(await getDb(), user, await actionMeta());
    revalidatePath(`/exceptions/${result.exceptionId}`);
    return { ...answer(result), at: Date.now() };
  });
}

export async function proposeCorrectionAction(
  _previous: ActionResult<{ id: string; at: number }> | null,
  form: FormData,
): Promise<ActionResult<{ id: string; at: number }>> {
  return panelChange(
    async (db, user, meta) => {
      const currency = String(form.get("currency") ?? "").toUpperCase();
      return proposeCorrection(
        db,
        user,
        {
          exceptionId: String(form.get("exceptionId") ?? ""),
          kind: String(form.get("kind") ?? "") as never,
          amountMinor: parseMoneyInput(String(form.get("amount") ?? ""), currency),
          currency,
          targetSystem: String(form.get("targetSystem") ?? ""),
          reason: String(form.get("reason") ?? ""),
        },
        meta,
      );
    },
    (correction) => ({ id: correction.id }),
  );
}

export async function decideCorrectionAction(
  _previous: ActionResult<{ status: string; at: number }> | null,
  form: FormData,
): Promise<ActionResult<{ status: string; at: number }>> {
  return panelChange(
    (db, user, meta) =>
      decideCorrection(
        db,
        user,
        {
          correctionId: String(form.get("correctionId") ?? ""),
          decision: form.get("decision") === "reject" ? "reject" : "approve",
          expectedVersion: Number(form.get("version")),
          reason: String(form.get("reason") ?? ""),
        },
        meta,
      ),
    (correction) => ({ status: correction.status }),
  );
}
