"use server";

import { z } from "zod";
import { createPersonalToken, revokePersonalToken } from "@/lib/auth/api-keys";
import type { ActionResult } from "@/lib/http/action-result";
import { formAction, formId, formStateAction, parseFields } from "../form-action";

/*
 * Personal tokens: every signed-in user creates and revokes their own (an admin may revoke
 * anyone's, from the admin's API keys page, through the same revoke action).
 */

const CreateTokenInput = z.object({
  name: z.string().trim().min(1, "Name is required").max(100),
  /** A date (YYYY-MM-DD) the token stops working at the end of, in UTC; empty for none. */
  expires: z
    .string()
    .trim()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/, "The expiry must be a date"),
});

export const createTokenAction = formStateAction(
  "signed-in",
  ["/profile"],
  async (form, { user, db, actor, meta }) => {
    const input = parseFields(CreateTokenInput, {
      name: form.get("name"),
      expires: form.get("expires") ?? "",
    });
    const expiresAt = input.expires ? new Date(`${input.expires}T23:59:59.999Z`) : null;
    const created = await createPersonalToken(
      db,
      { userId: user.id, name: input.name, expiresAt },
      actor,
      meta,
    );
    return { key: created.key, name: input.name };
  },
);

export async function revokeTokenAction(form: FormData): Promise<ActionResult> {
  return formAction("signed-in", ["/profile", "/admin/api-keys"], async (c) => {
    await revokePersonalToken(c.db, formId(form, "token"), c.user, c.actor, c.meta);
    return undefined;
  });
}
