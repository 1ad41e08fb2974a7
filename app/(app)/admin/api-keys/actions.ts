"use server";

import { z } from "zod";
import { API_KEY_SCOPES } from "@/db/schema";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import type { ActionResult } from "@/lib/http/action-result";
import { formAction, formId, formStateAction, parseFields } from "../../form-action";

const PAGE = "/admin/api-keys";

const CreateKeyInput = z.object({
  name: z.string().trim().min(1, "Name is required").max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, "Choose at least one scope"),
});

export const createApiKeyAction = formStateAction(
  "admin:api-keys",
  [PAGE],
  async (form, { user, db, actor, meta }) => {
    const input = parseFields(CreateKeyInput, {
      name: form.get("name"),
      scopes: form.getAll("scopes"),
    });
    const created = await createApiKey(db, { ...input, createdBy: user.id }, actor, meta);
    return { key: created.key, name: input.name };
  },
);

export async function revokeApiKeyAction(form: FormData): Promise<ActionResult> {
  return formAction("admin:api-keys", [PAGE], async ({ db, actor, meta }) => {
    await revokeApiKey(db, formId(form, "key"), actor, meta);
    return undefined;
  });
}
