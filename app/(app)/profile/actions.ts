"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/session";
import { setUserTimeZone } from "@/lib/auth/time-zone";
import { Unauthenticated } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { actionMeta, userActor } from "@/lib/server/request-meta";

/** Every signed-in user may set their own zone, and only their own. */
export async function setTimeZoneAction(
  _previous: ActionResult<{ timeZone: string }> | null,
  form: FormData,
): Promise<ActionResult<{ timeZone: string }>> {
  return runAction(async () => {
    const user = await getCurrentUser();
    if (!user) throw new Unauthenticated("Your session has ended; sign in again");
    const change = await setUserTimeZone(
      await getDb(),
      user.id,
      String(form.get("timeZone") ?? ""),
      userActor(user),
      await actionMeta(),
    );
    // Every page shows dates, and the layout provides the zone to all of them.
    revalidatePath("/", "layout");
    return { timeZone: change.after };
  });
}
