"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { createChannel } from "@/lib/alerts/channels";
import { parseRecipientList } from "@/lib/alerts/email";
import { conditionFromForm } from "@/lib/alerts/rule-form";
import { createRule, deleteRule } from "@/lib/alerts/rules";
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

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/** The rule form's fields, shaped as the API's JSON body so one contract validates both. */
export async function createRuleAction(
  _previous: ActionResult<{ name: string }> | null,
  form: FormData,
): Promise<ActionResult<{ name: string }>> {
  return runAction(async () => {
    const user = await requirePermission("alerts:manage");
    const entity = text(form, "entity").trim();
    const rule = await createRule(
      await getDb(),
      {
        name: text(form, "name"),
        severity: text(form, "severity"),
        condition: conditionFromForm((name) => text(form, name)),
        entity: entity === "" ? null : entity,
        for: text(form, "for") || "PT0S",
        channelIds: form.getAll("channelIds").filter((v) => typeof v === "string"),
      },
      { userId: user.id, actor: userActor(user), meta: await actionMeta() },
    );
    revalidatePath(PAGE);
    return { name: rule.name };
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
    const { channel, secret } = await createChannel(await getDb(), channelBody(form), {
      userId: user.id,
      actor: userActor(user),
      meta: await actionMeta(),
    });
    revalidatePath(PAGE);
    return { name: channel.name, secret };
  });
}

/** The channel form's fields, shaped as the API's JSON body for the kind chosen. */
function channelBody(form: FormData): Record<string, unknown> {
  const kind = text(form, "kind");
  const name = text(form, "name");
  switch (kind) {
    case "email":
      return { kind, name, to: parseRecipientList(text(form, "to")) };
    case "pagerduty": {
      const eventsUrl = text(form, "eventsUrl").trim();
      return {
        kind,
        name,
        routingKey: text(form, "routingKey"),
        ...(eventsUrl ? { eventsUrl } : {}),
      };
    }
    default:
      return { kind, name, url: text(form, "url") };
  }
}
