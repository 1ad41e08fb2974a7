"use server";

import { generatePassword } from "@/lib/auth/passwords";
import {
  RoleSchema,
  createUser,
  deactivateUser,
  reactivateUser,
  setUserRole,
} from "@/lib/auth/users";
import { InvalidInput } from "@/lib/errors";
import type { ActionResult } from "@/lib/http/action-result";
import { formAction, formId, formStateAction, formText } from "../../form-action";

const PAGE = "/admin/users";

export const createUserAction = formStateAction(
  "admin:users",
  [PAGE],
  async (form, { db, actor, meta }) => {
    const typed = formText(form, "password");
    // An empty password field means "generate one": shown once here, never stored in clear.
    const password = typed || generatePassword();
    const name = formText(form, "name").trim();
    const user = await createUser(
      db,
      {
        email: formText(form, "email"),
        name: name || undefined,
        role: formText(form, "role") as never,
        password,
      },
      actor,
      meta,
    );
    return { email: user.email, password: typed ? null : password };
  },
);

export async function changeRoleAction(form: FormData): Promise<ActionResult> {
  return formAction("admin:users", [PAGE], async ({ db, actor, meta }) => {
    const role = RoleSchema.safeParse(form.get("role"));
    if (!role.success) throw new InvalidInput("Unknown role");
    await setUserRole(db, { id: formId(form, "user") }, role.data, actor, meta);
    return undefined;
  });
}

export async function setActiveAction(form: FormData): Promise<ActionResult> {
  return formAction("admin:users", [PAGE], async ({ db, actor, meta }) => {
    const id = formId(form, "user");
    const change = form.get("active") === "true" ? reactivateUser : deactivateUser;
    await change(db, { id }, actor, meta);
    return undefined;
  });
}
