"use server";

import { closeDeadlinesFromForm, saveCloseDeadlines } from "@/lib/close/deadline";
import { saveSlaPolicy, slaSettingsFromForm } from "@/lib/exceptions/sla-settings";
import type { ActionResult } from "@/lib/http/action-result";
import { saveTargets, targetsFromForm } from "@/lib/kpi/targets";
import { enterRate, saveReportingCurrency } from "@/lib/money/reporting";
import { formAction } from "../../form-action";

type Saved = { savedAt: string };

/** A settings form's field by name, null when it is missing, as the settings parsers read it. */
const fieldOf = (form: FormData) => (field: string) => {
  const value = form.get(field);
  return typeof value === "string" ? value : null;
};

const saved = (): Saved => ({ savedAt: new Date().toISOString() });

export async function saveTargetsAction(
  _previous: ActionResult<Saved> | null,
  form: FormData,
): Promise<ActionResult<Saved>> {
  return formAction("admin:settings", ["/admin/settings", "/overview"], async (c) => {
    await saveTargets(c.db, targetsFromForm(fieldOf(form)), c.actor, c.meta);
    return saved();
  });
}

export async function saveSlaAction(
  _previous: ActionResult<Saved> | null,
  form: FormData,
): Promise<ActionResult<Saved>> {
  return formAction("admin:settings", ["/admin/settings", ["/exceptions", "layout"]], async (c) => {
    await saveSlaPolicy(c.db, slaSettingsFromForm(fieldOf(form)), c.actor, c.meta);
    return saved();
  });
}

export async function saveCloseDeadlinesAction(
  _previous: ActionResult<Saved> | null,
  form: FormData,
): Promise<ActionResult<Saved>> {
  return formAction("admin:settings", ["/admin/settings"], async (c) => {
    const fields = [...form.entries()].flatMap(([name, value]): [string, string][] =>
      typeof value === "string" ? [[name, value]] : [],
    );
    await saveCloseDeadlines(c.db, closeDeadlinesFromForm(fields), c.actor, c.meta);
    return saved();
  });
}

/** The pages that show amounts at risk in the reporting currency. */
const MONEY_PAGES = ["/admin/settings", "/overview", ["/exceptions", "layout"]] as const;

const upper = (value: string | null) => value?.trim().toUpperCase() ?? null;

export async function saveReportingCurrencyAction(
  _previous: ActionResult<Saved> | null,
  form: FormData,
): Promise<ActionResult<Saved>> {
  return formAction("admin:settings", MONEY_PAGES, async (c) => {
    await saveReportingCurrency(c.db, { currency: upper(fieldOf(form)("currency")) }, c);
    return saved();
  });
}

export async function enterRateAction(
  _previous: ActionResult<Saved> | null,
  form: FormData,
): Promise<ActionResult<Saved>> {
  return formAction("admin:settings", MONEY_PAGES, async (c) => {
    const field = fieldOf(form);
    await enterRate(
      c.db,
      {
        currency: upper(field("currency")),
        reportingCurrency: upper(field("reportingCurrency")),
        rate: field("rate")?.trim(),
        effectiveDate: field("effectiveDate"),
      },
      c.by,
    );
    return saved();
  });
}
