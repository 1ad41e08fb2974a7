"use server";

import { closeDeadlinesFromForm, saveCloseDeadlines } from "@/lib/close/deadline";
import { saveSlaPolicy, slaSettingsFromForm } from "@/lib/exceptions/sla-settings";
import { saveTargets, targetsFromForm } from "@/lib/kpi/targets";
import { enterRate, saveReportingCurrency } from "@/lib/money/reporting";
import { formStateAction, type Caller, type Refresh } from "../../form-action";

/**
 * A settings form's action: an admin saves, and the form says when. The settings page is
 * refreshed, and the other pages that show the setting.
 */
function settingsAction(
  shownOn: readonly Refresh[],
  save: (form: FormData, c: Caller) => Promise<unknown>,
) {
  return formStateAction("admin:settings", ["/admin/settings", ...shownOn], async (form, c) => {
    await save(form, c);
    return { savedAt: new Date().toISOString() };
  });
}

/** A settings form's field by name, null when it is missing, as the settings parsers read it. */
const fieldOf = (form: FormData) => (field: string) => {
  const value = form.get(field);
  return typeof value === "string" ? value : null;
};

export const saveTargetsAction = settingsAction(["/overview"], (form, c) =>
  saveTargets(c.db, targetsFromForm(fieldOf(form)), c.actor, c.meta),
);

export const saveSlaAction = settingsAction([["/exceptions", "layout"]], (form, c) =>
  saveSlaPolicy(c.db, slaSettingsFromForm(fieldOf(form)), c.actor, c.meta),
);

export const saveCloseDeadlinesAction = settingsAction([], (form, c) => {
  const fields = [...form.entries()].flatMap(([name, value]): [string, string][] =>
    typeof value === "string" ? [[name, value]] : [],
  );
  return saveCloseDeadlines(c.db, closeDeadlinesFromForm(fields), c.actor, c.meta);
});

/** The other pages that show amounts at risk in the reporting currency. */
const MONEY_PAGES = ["/overview", ["/exceptions", "layout"]] as const;

const upper = (value: string | null) => value?.trim().toUpperCase() ?? null;

export const saveReportingCurrencyAction = settingsAction(MONEY_PAGES, (form, c) =>
  saveReportingCurrency(c.db, { currency: upper(fieldOf(form)("currency")) }, c),
);

export const enterRateAction = settingsAction(MONEY_PAGES, (form, c) => {
  const field = fieldOf(form);
  return enterRate(
    c.db,
    {
      currency: upper(field("currency")),
      reportingCurrency: upper(field("reportingCurrency")),
      rate: field("rate")?.trim(),
      effectiveDate: field("effectiveDate"),
    },
    c.by,
  );
});
