"use server";

import { parseMajorUnits, setMateriality } from "@/lib/close/materiality";
import { closePeriod, reopenPeriod } from "@/lib/close/periods";
import { periodFromKey, periodLabel } from "@/lib/close/period";
import { formatMoney } from "@/lib/format";
import { formStateAction, formText } from "../form-action";

/**
 * Closes or reopens the period named in the form (`intent`), so the form keeps one outcome
 * message across the switch from "close" to "reopen" that a successful action causes.
 */
export const periodAction = formStateAction(
  "close:manage",
  ["/close"],
  async (form, { db, by }) => {
    const entity = formText(form, "entity");
    const period = formText(form, "period");
    const reason = formText(form, "reason").trim();
    const label = `${entity} ${periodLabel(periodFromKey(period))}`;
    if (formText(form, "intent") === "reopen") {
      await reopenPeriod(db, { entity, period, reason }, by);
      return `${label} is open again.`;
    }
    const { verdict } = await closePeriod(db, { entity, period, reason: reason || undefined }, by);
    return verdict === "go"
      ? `${label} is closed.`
      : `${label} is closed over its blockers; the reason is in the audit log.`;
  },
);

export const setMaterialityAction = formStateAction(
  "close:manage",
  ["/close"],
  async (form, { db, by }) => {
    const entity = formText(form, "entity");
    const currency = formText(form, "currency").trim().toUpperCase();
    const thresholdMinor = parseMajorUnits(formText(form, "amount"), currency);
    const { changed } = await setMateriality(db, { entity, currency, thresholdMinor }, by);
    const amount = formatMoney(thresholdMinor, currency);
    return changed
      ? `Materiality for ${entity} in ${currency} is now ${amount}.`
      : `Materiality was already ${amount}.`;
  },
);
