"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { createPersonalToken, revokePersonalToken } from "@/lib/auth/api-keys";
import { getCurrentUser } from "@/lib/auth/session";
import { InvalidInput, Unauthenticated } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { actionMeta, userActor } from "@/lib/server/request-meta";

/*
 * Personal tokens: every signed-in user creates and revokes their own (an admin may revoke
 * anyone's, from the admin's API keys page, through the same revoke action).
 */

async function signedInUser() {
  const user = await getCurrentUser();
  if (!user) throw new Unauthenticated("Your session has ended; sign in again");
  return user;
}

const CreateTokenInput = z.object({
  name: z.string().trim().min(1, "Name is required").max(100),
  /** A date (YYYY-MM-DD) the token stops working at the end of, in UTC; empty for none. */
  expires: z
    .string()
    .trim()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/, "The expiry must be a date"),
});

export async function createTokenAction(
  _previous: ActionResult<{ key: string; name: string }> | null,
  form: FormData,
): Promise<ActionResult<{ key: string; name: string }>> {
  return runAction(async () => {
    const user = await signedInUser();
    const parsed = CreateTokenInput.safeParse({
      name: form.get("name"),
      expires: form.get("expires") ?? "",
    });
    if (!parsed.success)
      throw new InvalidInput(parsed.error.issues.map((i) => i.message).join("; "));
    const expiresAt = parsed.data.expires ? new Date(`${parsed.data.expires}T23:59:59.999Z`) : null;
    const created = await createPersonalToken(
      await getDb(),
      { userId: user.id, name: parsed.data.name, expiresAt },
      userActor(user),
      await actionMeta(),
    );
    revalidatePath("/profile");
    return { key: created.key, name: parsed.data.name };
  });
}

export async function revokeTokenAction(form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await signedInUser();
    const id = z.uuid().safeParse(form.get("id"));
    if (!id.success) throw new InvalidInput("Unknown token");
    await revokePersonalToken(await getDb(), id.data, user, userActor(user), await actionMeta());
    revalidatePath("/profile");
    revalidatePath("/admin/api-keys");
    return undefined;
  });
}
