"use server";

import { setUserTimeZone } from "@/lib/auth/time-zone";
import type { ActionResult } from "@/lib/http/action-result";
import { formAction, formText } from "../form-action";

/**
 * Every signed-in user may set their own zone, and only their own. Every page shows dates, and
 * the layout provides the zone to all of them.
 */
export async function setTimeZoneAction(
  _previous: ActionResult<{ timeZone: string }> | null,
  form: FormData,
): Promise<ActionResult<{ timeZone: string }>> {
  return formAction("signed-in", [["/", "layout"]], async ({ user, db, actor, meta }) => {
    const change = await setUserTimeZone(db, user.id, formText(form, "timeZone"), actor, meta);
    return { timeZone: change.after };
  });
}
