"use server";

import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { createChannel } from "@/lib/alerts/channels";
import { parseRecipientList } from "@/lib/alerts/email";
import { conditionFromForm } from "@/lib/alerts/rule-form";
import { createRule, deleteRule } from "@/lib/alerts/rules";
import type { ActionResult } from "@/lib/http/action-result";
import { formAction, formId, formText } from "../form-action";

const PAGE = "/alerts";

export async function acknowledgeAction(
  _previous: ActionResult | null,
  form: FormData,
): Promise<ActionResult> {
  return formAction("alerts:acknowledge", [PAGE], async ({ db, by }) => {
    await acknowledgeAlert(db, formId(form, "alert"), { comment: form.get("comment") }, by);
    return undefined;
  });
}

/** The rule form's fields, shaped as the API's JSON body so one contract validates both. */
export async function createRuleAction(
  _previous: ActionResult<{ name: string }> | null,
  form: FormData,
): Promise<ActionResult<{ name: string }>> {
  return formAction("alerts:manage", [PAGE], async ({ db, by }) => {
    const text = (name: string) => formText(form, name);
    const entity = text("entity").trim();
    const rule = await createRule(
      db,
      {
        name: text("name"),
        severity: text("severity"),
        condition: conditionFromForm(text),
        entity: entity === "" ? null : entity,
        for: text("for") || "PT0S",
        channelIds: form.getAll("channelIds").filter((v) => typeof v === "string"),
      },
      by,
    );
    return { name: rule.name };
  });
}

export async function deleteRuleAction(form: FormData): Promise<ActionResult> {
  return formAction("alerts:manage", [PAGE], async ({ db, by }) => {
    await deleteRule(db, formId(form, "rule"), by);
    return undefined;
  });
}

export async function createChannelAction(
  _previous: ActionResult<{ name: string; secret: string | null }> | null,
  form: FormData,
): Promise<ActionResult<{ name: string; secret: string | null }>> {
  return formAction("alerts:manage", [PAGE], async ({ db, by }) => {
    const { channel, secret } = await createChannel(db, channelBody(form), by);
    return { name: channel.name, secret };
  });
}

/** The channel form's fields, shaped as the API's JSON body for the kind chosen. */
function channelBody(form: FormData): Record<string, unknown> {
  const text = (name: string) => formText(form, name);
  const kind = text("kind");
  const name = text("name");
  switch (kind) {
    case "email":
      return { kind, name, to: parseRecipientList(text("to")) };
    case "pagerduty": {
      const eventsUrl = text("eventsUrl").trim();
      return {
        kind,
        name,
        routingKey: text("routingKey"),
        ...(eventsUrl ? { eventsUrl } : {}),
      };
    }
    default:
      return { kind, name, url: text("url") };
  }
}
