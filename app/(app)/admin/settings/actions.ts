"use server";

import { closeDeadlinesFromForm, saveCloseDeadlines } from "@/lib/close/deadline";
import { saveSlaPolicy, slaSettingsFromForm } from "@/lib/exceptions/sla-settings";
import type { ActionResult } from "@/lib/http/action-result";
import { saveTargets, targetsFromForm } from "@/lib/kpi/targets";
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
