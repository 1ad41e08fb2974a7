"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { requirePermission } from "@/lib/auth/session";
import { parseMajorUnits, setMateriality } from "@/lib/close/materiality";
import { closePeriod, reopenPeriod } from "@/lib/close/periods";
import { periodFromKey, periodLabel } from "@/lib/close/period";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { formatMoney } from "@/lib/format";
import { actionMeta, userActor } from "@/lib/server/request-meta";

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/**
 * Closes or reopens the period named in the form (`intent`), so the form keeps one outcome
 * message across the switch from "close" to "reopen" that a successful action causes.
 */
export async function periodAction(
  _previous: ActionResult<string> | null,
  form: FormData,
): Promise<ActionResult<string>> {
  return runAction(async () => {
    const user = await requirePermission("close:manage");
    const entity = text(form, "entity");
    const period = text(form, "period");
    const reason = text(form, "reason").trim();
    const by = { userId: user.id, actor: userActor(user), meta: await actionMeta() };
    const label = `${entity} ${periodLabel(periodFromKey(period))}`;
    if (text(form, "intent") === "reopen") {
      await reopenPeriod(await getDb(), { entity, period, reason }, by);
      revalidatePath("/close");
      return `${label} is open again.`;
    }
    const { verdict } = await closePeriod(
      await getDb(),
      { entity, period, reason: reason || undefined },
      by,
    );
    revalidatePath("/close");
    return verdict === "go"
      ? `${label} is closed.`
      : `${label} is closed over its blockers; the reason is in the audit log.`;
  });
}

export async function setMaterialityAction(
  _previous: ActionResult<string> | null,
  form: FormData,
): Promise<ActionResult<string>> {
  return runAction(async () => {
    const user = await requirePermission("close:manage");
    const entity = text(form, "entity");
    const currency = text(form, "currency").trim().toUpperCase();
    const thresholdMinor = parseMajorUnits(text(form, "amount"), currency);
    const { changed } = await setMateriality(
      await getDb(),
      { entity, currency, thresholdMinor },
      { userId: user.id, actor: userActor(user), meta: await actionMeta() },
    );
    revalidatePath("/close");
    const amount = formatMoney(thresholdMinor, currency);
    return changed
      ? `Materiality for ${entity} in ${currency} is now ${amount}.`
      : `Materiality was already ${amount}.`;
  });
}
