"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { requirePermission } from "@/lib/auth/session";
import { closeDeadlinesFromForm, saveCloseDeadlines } from "@/lib/close/deadline";
import { saveSlaPolicy, slaSettingsFromForm } from "@/lib/exceptions/sla-settings";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { saveTargets, targetsFromForm } from "@/lib/kpi/targets";
import { actionMeta, userActor } from "@/lib/server/request-meta";

export async function saveTargetsAction(
  _previous: ActionResult<{ savedAt: string }> | null,
  form: FormData,
): Promise<ActionResult<{ savedAt: string }>> {
  return runAction(async () => {
    const admin = await requirePermission("admin:settings");
    const targets = targetsFromForm((field) => {
      const value = form.get(field);
      return typeof value === "string" ? value : null;
    });
    await saveTargets(await getDb(), targets, userActor(admin), await actionMeta());
    revalidatePath("/admin/settings");
    revalidatePath("/overview");
    return { savedAt: new Date().toISOString() };
  });
}

export async function saveSlaAction(
  _previous: ActionResult<{ savedAt: string }> | null,
  form: FormData,
): Promise<ActionResult<{ savedAt: string }>> {
  return runAction(async () => {
    const admin = await requirePermission("admin:settings");
    const settings = slaSettingsFromForm((field) => {
      const value = form.get(field);
      return typeof value === "string" ? value : null;
    });
    await saveSlaPolicy(await getDb(), settings, userActor(admin), await actionMeta());
    revalidatePath("/admin/settings");
    revalidatePath("/exceptions", "layout");
    return { savedAt: new Date().toISOString() };
  });
}

export async function saveCloseDeadlinesAction(
  _previous: ActionResult<{ savedAt: string }> | null,
  form: FormData,
): Promise<ActionResult<{ savedAt: string }>> {
  return runAction(async () => {
    const admin = await requirePermission("admin:settings");
    const fields = [...form.entries()].flatMap(([name, value]): [string, string][] =>
      typeof value === "string" ? [[name, value]] : [],
    );
    await saveCloseDeadlines(
      await getDb(),
      closeDeadlinesFromForm(fields),
      userActor(admin),
      await actionMeta(),
    );
    revalidatePath("/admin/settings");
    return { savedAt: new Date().toISOString() };
  });
}
