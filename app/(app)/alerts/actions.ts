"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { createChannel } from "@/lib/alerts/channels";
import { parseRecipientList } from "@/lib/alerts/email";
import type { BacktestView } from "@/components/alerts/backtest-button";
import { backtestRule } from "@/lib/alerts/backtest";
import { createRule, deleteRule } from "@/lib/alerts/rules";
import { silenceEnd } from "@/lib/alerts/silence-lengths";
import { liftSilence, silenceAlert } from "@/lib/alerts/silences";
import { requirePermission } from "@/lib/auth/session";
import { InvalidInput } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { actionMeta, userActor } from "@/lib/server/request-meta";

const PAGE = "/alerts";
const Id = z.uuid();

function idOf(form: FormData, what: string): string {
  const id = Id.safeParse(form.get("id"));
  if (!id.success) throw new InvalidInput(`Unknown ${what}`);
  return id.data;
}

export async function acknowledgeAction(
  _previous: ActionResult | null,
  form: FormData,
): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requirePermission("alerts:acknowledge");
    await acknowledgeAlert(
      await getDb(),
      idOf(form, "alert"),
      { comment: form.get("comment") },
      { userId: user.id, actor: userActor(user), meta: await actionMeta() },
    );
    revalidatePath(PAGE);
    return undefined;
  });
}

/** Silences the alert's dimension or its whole rule for one of the lengths the page offers. */
export async function silenceAlertAction(
  _previous: ActionResult<{ until: string }> | null,
  form: FormData,
): Promise<ActionResult<{ until: string }>> {
  return runAction(async () => {
    const user = await requirePermission("alerts:acknowledge");
    const until = silenceEnd(text(form, "for"), new Date());
    if (!until) throw new InvalidInput("Choose how long to silence for");
    const silence = await silenceAlert(
      await getDb(),
      idOf(form, "alert"),
      {
        until: until.toISOString(),
        comment: form.get("comment"),
        scope: text(form, "scope") === "alert" ? "alert" : "rule",
      },
      { userId: user.id, actor: userActor(user), meta: await actionMeta() },
    );
    revalidatePath(PAGE);
    return { until: silence.until.toISOString() };
  });
}

export async function liftSilenceAction(form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requirePermission("alerts:acknowledge");
    await liftSilence(await getDb(), idOf(form, "silence"), {
      userId: user.id,
      actor: userActor(user),
      meta: await actionMeta(),
    });
    revalidatePath(PAGE);
    return undefined;
  });
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** The rule form's fields, shaped as the API's JSON body so one contract validates both. */
function ruleBody(form: FormData) {
  const entity = text(form, "entity").trim();
  return {
    name: text(form, "name"),
    severity: text(form, "severity"),
    condition: {
      kind: "kpi",
      metric: text(form, "metric"),
      op: text(form, "op"),
      value: Number(text(form, "value")),
      window: text(form, "window"),
    },
    entity: entity === "" ? null : entity,
    for: text(form, "for") || "PT0S",
    repeat: text(form, "repeat").trim() || null,
    channelIds: form.getAll("channelIds").filter((v) => typeof v === "string"),
  };
}

export async function createRuleAction(
  _previous: ActionResult<{ name: string }> | null,
  form: FormData,
): Promise<ActionResult<{ name: string }>> {
  return runAction(async () => {
    const user = await requirePermission("alerts:manage");
    const rule = await createRule(await getDb(), ruleBody(form), {
      userId: user.id,
      actor: userActor(user),
      meta: await actionMeta(),
    });
    revalidatePath(PAGE);
    return { name: rule.name };
  });
}

/** How often the rule in the form would have fired over the last 30 days; saves nothing. */
export async function backtestRuleAction(form: FormData): Promise<ActionResult<BacktestView>> {
  return runAction(async () => {
    await requirePermission("alerts:manage");
    const result = await backtestRule(await getDb(), ruleBody(form));
    return {
      step: result.step,
      readings: result.readings,
      firings: result.firings,
      lastFiringAt: result.lastFiringAt?.toISOString() ?? null,
    };
  });
}

export async function deleteRuleAction(form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requirePermission("alerts:manage");
    await deleteRule(await getDb(), idOf(form, "rule"), {
      userId: user.id,
      actor: userActor(user),
      meta: await actionMeta(),
    });
    revalidatePath(PAGE);
    return undefined;
  });
}

export async function createChannelAction(
  _previous: ActionResult<{ name: string; secret: string | null }> | null,
  form: FormData,
): Promise<ActionResult<{ name: string; secret: string | null }>> {
  return runAction(async () => {
    const user = await requirePermission("alerts:manage");
    const { channel, secret } = await createChannel(
      await getDb(),
      text(form, "kind") === "email"
        ? { kind: "email", name: text(form, "name"), to: parseRecipientList(text(form, "to")) }
        : { kind: text(form, "kind"), name: text(form, "name"), url: text(form, "url") },
      { userId: user.id, actor: userActor(user), meta: await actionMeta() },
    );
    revalidatePath(PAGE);
    return { name: channel.name, secret };
  });
}
