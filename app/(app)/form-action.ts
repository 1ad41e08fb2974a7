import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import type { AuditActor, RequestMeta } from "@/lib/audit";
import type { Permission } from "@/lib/auth/permissions";
import { getCurrentUser, requirePermission, type CurrentUser } from "@/lib/auth/session";
import { InvalidInput, Unauthenticated } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { actionMeta, userActor } from "@/lib/server/request-meta";

/*
 * The shape every form's server action keeps: a server action is a public endpoint, so it
 * checks who asks first; then it reads its fields and does the write as that user; then it
 * refreshes the pages that show what changed. Errors become the form's message (runAction).
 */

/** Who runs the action, in the forms the audited writes take. */
export interface Caller {
  user: CurrentUser;
  db: Db;
  actor: AuditActor;
  meta: RequestMeta;
  /** The user, the actor and the request together, as most writes take them. */
  by: { userId: string; actor: AuditActor; meta: RequestMeta };
}

/** Holders of a permission, or any signed-in user (acting on their own things). */
type Access = Permission | "signed-in";

/** A page to refresh after the write, or `[path, "layout"]` for every page under it. */
export type Refresh = string | readonly [path: string, type: "layout"];

async function caller(access: Access): Promise<Caller> {
  const user = access === "signed-in" ? await getCurrentUser() : await requirePermission(access);
  if (!user) throw new Unauthenticated("Your session has ended; sign in again");
  const actor = userActor(user);
  const meta = await actionMeta();
  return { user, db: await getDb(), actor, meta, by: { userId: user.id, actor, meta } };
}

export function formAction<T>(
  access: Access,
  refresh: readonly Refresh[],
  write: (caller: Caller) => Promise<T>,
): Promise<ActionResult<T>> {
  return runAction(async () => {
    const result = await write(await caller(access));
    for (const page of refresh) {
      if (typeof page === "string") revalidatePath(page);
      else revalidatePath(page[0], page[1]);
    }
    return result;
  });
}

/**
 * The action of a form that shows its outcome (ActionForm, through useActionState): React
 * passes it the previous outcome before the form, and no action needs that.
 */
export function formStateAction<T>(
  access: Access,
  refresh: readonly Refresh[],
  write: (form: FormData, caller: Caller) => Promise<T>,
): (previous: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>> {
  return async (_previous, form) => formAction(access, refresh, (caller) => write(form, caller));
}

/** A text field's value; "" when the form has none. */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

const Id = z.uuid();

/** The id of the row a form acts on; `what` names it in the error ("Unknown key"). */
export function formId(form: FormData, what: string): string {
  const id = Id.safeParse(form.get("id"));
  if (!id.success) throw new InvalidInput(`Unknown ${what}`);
  return id.data;
}

/** A form's fields checked against their schema; every problem is said, one after another. */
export function parseFields<S extends z.ZodType>(schema: S, fields: unknown): z.output<S> {
  const parsed = schema.safeParse(fields);
  if (!parsed.success) throw new InvalidInput(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}
