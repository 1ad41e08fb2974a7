"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { generatePassword } from "@/lib/auth/passwords";
import { requirePermission } from "@/lib/auth/session";
import {
  RoleSchema,
  createUser,
  deactivateUser,
  reactivateUser,
  setUserRole,
} from "@/lib/auth/users";
import { InvalidInput } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { actionMeta, userActor } from "@/lib/server/request-meta";

export async function createUserAction(
  _previous: ActionResult<{ email: string; password: string | null }> | null,
  form: FormData,
): Promise<ActionResult<{ email: string; password: string | null }>> {
  return runAction(async () => {
    const admin = await requirePermission("admin:users");
    const typed = String(form.get("password") ?? "");
    // An empty password field means "generate one": shown once here, never stored in clear.
    const password = typed || generatePassword();
    const name = String(form.get("name") ?? "").trim();
    const user = await createUser(
      await getDb(),
      {
        email: String(form.get("email") ?? ""),
        name: name || undefined,
        role: String(form.get("role") ?? "") as never,
        password,
      },
      userActor(admin),
      await actionMeta(),
    );
    revalidatePath("/admin/users");
    return { email: user.email, password: typed ? null : password };
  });
}

const UserId = z.uuid();

function userIdFrom(form: FormData): string {
  const id = UserId.safeParse(form.get("id"));
  if (!id.success) throw new InvalidInput("Unknown user");
  return id.data;
}

export async function changeRoleAction(form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const admin = await requirePermission("admin:users");
    const role = RoleSchema.safeParse(form.get("role"));
    if (!role.success) throw new InvalidInput("Unknown role");
    await setUserRole(
      await getDb(),
      { id: userIdFrom(form) },
      role.data,
      userActor(admin),
      await actionMeta(),
    );
    revalidatePath("/admin/users");
    return undefined;
  });
}

export async function setActiveAction(form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const admin = await requirePermission("admin:users");
    const id = userIdFrom(form);
    const change = form.get("active") === "true" ? reactivateUser : deactivateUser;
    await change(await getDb(), { id }, userActor(admin), await actionMeta());
    revalidatePath("/admin/users");
    return undefined;
  });
}
