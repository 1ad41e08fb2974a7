"use server";

import { COMMAND_KINDS } from "@/db/schema";
import type { ActionResult } from "@/lib/http/action-result";
import { resendCommand } from "@/lib/outbox/commands";
import { createEndpoint, deactivateEndpoint } from "@/lib/outbox/endpoints";
import { formAction, formId, formStateAction } from "../../form-action";

const PAGE = "/admin/webhooks";

export type CreatedEndpoint = { name: string; secret: string };

export const createEndpointAction = formStateAction(
  "admin:settings",
  [PAGE],
  async (form, { user, db, actor, meta }) => {
    const kinds = form
      .getAll("kinds")
      .filter((k): k is (typeof COMMAND_KINDS)[number] =>
        (COMMAND_KINDS as readonly unknown[]).includes(k),
      );
    const { endpoint, secret } = await createEndpoint(
      db,
      { name: form.get("name"), url: form.get("url"), kinds },
      { createdBy: user.id, actor, meta },
    );
    return { name: endpoint.name, secret };
  },
);

export async function deactivateEndpointAction(form: FormData): Promise<ActionResult> {
  return formAction("admin:settings", [PAGE], async ({ db, actor, meta }) => {
    await deactivateEndpoint(db, formId(form, "endpoint"), { actor, meta });
    return undefined;
  });
}

/** Sends a dead-lettered command again; audited as outbox.command_resent. */
export async function resendCommandAction(form: FormData): Promise<ActionResult> {
  return formAction("admin:settings", [PAGE], async ({ db, actor, meta }) => {
    await resendCommand(db, formId(form, "command"), { actor, meta });
    return undefined;
  });
}
