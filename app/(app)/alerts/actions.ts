"use server";

import type { BacktestView } from "@/components/alerts/backtest-button";
import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { backtestRule } from "@/lib/alerts/backtest";
import { createChannel } from "@/lib/alerts/channels";
import { channelFromForm } from "@/lib/alerts/channel-form";
import { conditionFromForm } from "@/lib/alerts/rule-form";
import { durationFromForm } from "@/lib/duration-input";
import { createRule, deleteRule } from "@/lib/alerts/rules";
import { silenceEnd } from "@/lib/alerts/silence-lengths";
import { liftSilence, silenceAlert } from "@/lib/alerts/silences";
import { InvalidInput } from "@/lib/errors";
import type { ActionResult } from "@/lib/http/action-result";
import { loadReportingCurrency } from "@/lib/money/reporting";
import { formAction, formId, formStateAction, formText } from "../form-action";

const PAGE = "/alerts";

export const acknowledgeAction = formStateAction(
  "alerts:acknowledge",
  [PAGE],
  async (form, { db, by }) => {
    await acknowledgeAlert(db, formId(form, "alert"), { comment: form.get("comment") }, by);
    return undefined;
  },
);

/** Silences the alert's dimension or its whole rule for one of the lengths the page offers. */
export const silenceAlertAction = formStateAction(
  "alerts:acknowledge",
  [PAGE],
  async (form, { db, by }) => {
    const until = silenceEnd(formText(form, "for"), new Date());
    if (!until) throw new InvalidInput("Choose how long to silence for");
    const silence = await silenceAlert(
      db,
      formId(form, "alert"),
      {
        until: until.toISOString(),
        comment: form.get("comment"),
        scope: formText(form, "scope") === "alert" ? "alert" : "rule",
      },
      by,
    );
    return { until: silence.until.toISOString() };
  },
);

export async function liftSilenceAction(form: FormData): Promise<ActionResult> {
  return formAction("alerts:acknowledge", [PAGE], async ({ db, by }) => {
    await liftSilence(db, formId(form, "silence"), by);
    return undefined;
  });
}

/**
 * The rule form's fields, shaped as the API's JSON body so one contract validates both. An
 * amount is typed in the reporting currency, read here rather than trusted from the page.
 */
function ruleBody(form: FormData, reportingCurrency: string) {
  const text = (name: string) => formText(form, name);
  const entity = text("entity").trim();
  return {
    name: text("name"),
    severity: text("severity"),
    condition: conditionFromForm(text, reportingCurrency),
    entity: entity === "" ? null : entity,
    for: durationFromForm(text, "for") || "PT0S",
    repeat: durationFromForm(text, "repeat") || null,
    channelIds: form.getAll("channelIds").filter((v) => typeof v === "string"),
  };
}

export const createRuleAction = formStateAction(
  "alerts:manage",
  [PAGE],
  async (form, { db, by }) => {
    const rule = await createRule(db, ruleBody(form, await loadReportingCurrency(db)), by);
    return { name: rule.name };
  },
);

/** How often the rule in the form would have fired over the last 30 days; saves nothing. */
export async function backtestRuleAction(form: FormData): Promise<ActionResult<BacktestView>> {
  return formAction("alerts:manage", [], async ({ db }) => {
    const result = await backtestRule(db, ruleBody(form, await loadReportingCurrency(db)));
    return {
      step: result.step,
      readings: result.readings,
      firings: result.firings,
      lastFiringAt: result.lastFiringAt?.toISOString() ?? null,
    };
  });
}

export async function deleteRuleAction(form: FormData): Promise<ActionResult> {
  return formAction("alerts:manage", [PAGE], async ({ db, by }) => {
    await deleteRule(db, formId(form, "rule"), by);
    return undefined;
  });
}

export const createChannelAction = formStateAction(
  "alerts:manage",
  [PAGE],
  async (form, { db, by }) => {
    const body = channelFromForm(
      (name) => formText(form, name),
      (name) => form.get(name) === "on",
    );
    const { channel, secret } = await createChannel(db, body, by);
    return { name: channel.name, secret };
  },
);
