"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { API_KEY_SCOPES } from "@/db/schema";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { requirePermission } from "@/lib/auth/session";
import { InvalidInput } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { actionMeta, userActor } from "@/lib/server/request-meta";

const CreateKeyInput = z.object({
  name: z.string().trim().min(1, "Name is required").max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, "Choose at least one scope"),
});

export async function createApiKeyAction(
  _previous: ActionResult<{ key: string; name: string }> | null,
  form: FormData,
): Promise<ActionResult<{ key: string; name: string }>> {
  return runAction(async () => {
    const user = await requirePermission("admin:api-keys");
    const parsed = CreateKeyInput.safeParse({
      name: form.get("name"),
      scopes: form.getAll("scopes"),
    });
    if (!parsed.success)
      throw new InvalidInput(parsed.error.issues.map((i) => i.message).join("; "));
    const created = await createApiKey(
      await getDb(),
      { ...parsed.data, createdBy: user.id },
      userActor(user),
      await actionMeta(),
    );
    revalidatePath("/admin/api-keys");
    return { key: created.key, name: parsed.data.name };
  });
}

export async function revokeApiKeyAction(form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requirePermission("admin:api-keys");
    const id = z.uuid().safeParse(form.get("id"));
    if (!id.success) throw new InvalidInput("Unknown key");
    await revokeApiKey(await getDb(), id.data, userActor(user), await actionMeta());
    revalidatePath("/admin/api-keys");
    return undefined;
  });
}
