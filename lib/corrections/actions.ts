"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/session";
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

export async function proposeCorrectionAction(
  _previous: ActionResult<{ id: string; at: number }> | null,
  form: FormData,
): Promise<ActionResult<{ id: string; at: number }>> {
  return runAction(async () => {
    const user = await signedInUser();
    const currency = String(form.get("currency") ?? "").toUpperCase();
    const correction = await proposeCorrection(
      await getDb(),
      user,
      {
        exceptionId: String(form.get("exceptionId") ?? ""),
        kind: String(form.get("kind") ?? "") as never,
        amountMinor: parseMoneyInput(String(form.get("amount") ?? ""), currency),
        currency,
        targetSystem: String(form.get("targetSystem") ?? ""),
        reason: String(form.get("reason") ?? ""),
      },
      await actionMeta(),
    );
    revalidatePath(`/exceptions/${correction.exceptionId}`);
    return { id: correction.id, at: Date.now() };
  });
}

export async function decideCorrectionAction(
  _previous: ActionResult<{ status: string; at: number }> | null,
  form: FormData,
): Promise<ActionResult<{ status: string; at: number }>> {
  return runAction(async () => {
    const user = await signedInUser();
    const correction = await decideCorrection(
      await getDb(),
      user,
      {
        correctionId: String(form.get("correctionId") ?? ""),
        decision: form.get("decision") === "reject" ? "reject" : "approve",
        expectedVersion: Number(form.get("version")),
        reason: String(form.get("reason") ?? ""),
      },
      await actionMeta(),
    );
    revalidatePath(`/exceptions/${correction.exceptionId}`);
    return { status: correction.status, at: Date.now() };
  });
}
