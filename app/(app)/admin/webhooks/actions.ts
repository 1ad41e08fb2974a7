"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { COMMAND_KINDS } from "@/db/schema";
import { requirePermission } from "@/lib/auth/session";
import { InvalidInput } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { resendCommand } from "@/lib/outbox/commands";
import { createEndpoint, deactivateEndpoint } from "@/lib/outbox/endpoints";
import { actionMeta, userActor } from "@/lib/server/request-meta";

const PAGE = "/admin/webhooks";

export type CreatedEndpoint = { name: string; secret: string };

export async function createEndpointAction(
  _previous: ActionResult<CreatedEndpoint> | null,
  form: FormData,
): Promise<ActionResult<CreatedEndpoint>> {
  return runAction(async () => {
    const user = await requirePermission("admin:settings");
    const kinds = form
      .getAll("kinds")
      .filter((k): k is (typeof COMMAND_KINDS)[number] =>
        (COMMAND_KINDS as readonly unknown[]).includes(k),
      );
    const { endpoint, secret } = await createEndpoint(
      await getDb(),
      { name: form.get("name"), url: form.get("url"), kinds },
      { createdBy: user.id, actor: userActor(user), meta: await actionMeta() },
    );
    revalidatePath(PAGE);
    return { name: endpoint.name, secret };
  });
}

const Id = z.uuid();

export async function deactivateEndpointAction(form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requirePermission("admin:settings");
    const id = Id.safeParse(form.get("id"));
    if (!id.success) throw new InvalidInput("Unknown endpoint");
    await deactivateEndpoint(await getDb(), id.data, {
      actor: userActor(user),
      meta: await actionMeta(),
    });
    revalidatePath(PAGE);
    return undefined;
  });
}

/** Sends a dead-lettered command again; audited as outbox.command_resent. */
export async function resendCommandAction(form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requirePermission("admin:settings");
    const id = Id.safeParse(form.get("id"));
    if (!id.success) throw new InvalidInput("Unknown command");
    await resendCommand(await getDb(), id.data, {
      actor: userActor(user),
      meta: await actionMeta(),
    });
    revalidatePath(PAGE);
    return undefined;
  });
}
