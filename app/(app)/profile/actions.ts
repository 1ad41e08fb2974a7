"use server";

import { setUserTimeZone } from "@/lib/auth/time-zone";
import { formStateAction, formText } from "../form-action";

/**
 * Every signed-in user may set their own zone, and only their own. Every page shows dates, and
 * the layout provides the zone to all of them.
 */
export const setTimeZoneAction = formStateAction(
  "signed-in",
  [["/", "layout"]],
  async (form, { user, db, actor, meta }) => {
    const change = await setUserTimeZone(db, user.id, formText(form, "timeZone"), actor, meta);
    return { timeZone: change.after };
  },
);
