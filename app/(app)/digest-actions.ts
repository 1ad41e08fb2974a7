"use server";

import { effectiveTimeZone } from "@/lib/auth/time-zone";
import { createDigest, deleteDigest, updateDigest } from "@/lib/digests/digests";
import type { ActionResult } from "@/lib/http/action-result";
import { formAction, formId, formStateAction, formText, type Caller } from "./form-action";

/*
 * One's own digests, from the profile (list, add, change, pause, unsubscribe) and from the
 * overview ("Email me this every Monday"). Each writes as the signed-in user, audited.
 */

const PAGES = ["/profile", "/overview"] as const;

const ownerOf = ({ user }: Caller) => ({ id: user.id, role: user.role });

/** The digest form's fields, shaped as the API's JSON body so one contract validates both. */
function digestBody(form: FormData) {
  const text = (name: string) => formText(form, name).trim();
  const cadence = text("cadence");
  return {
    // The edit form has no target field: a digest keeps where it goes.
    ...(form.has("channelId") ? { channelId: text("channelId") || null } : {}),
    cadence,
    weekday: cadence === "weekly" ? text("weekday") || null : null,
    time: text("time"),
    timeZone: text("timeZone"),
    entity: text("entity") || null,
  };
}

export const createDigestAction = formStateAction("digests:own", PAGES, async (form, caller) => {
  const digest = await createDigest(caller.db, ownerOf(caller), digestBody(form), caller.by);
  return { nextSendAt: digest.nextSendAt };
});

/** The overview's one click: this overview, every Monday at 08:00 in the reader's zone. */
export const subscribeWeeklyAction = formStateAction("digests:own", PAGES, async (form, caller) => {
  // The browser's zone (the form starts with the profile's and the browser replaces it);
  // one this runtime does not know becomes UTC rather than a refusal of the one click.
  const timeZone = effectiveTimeZone(formText(form, "timeZone"));
  const digest = await createDigest(
    caller.db,
    ownerOf(caller),
    {
      cadence: "weekly",
      weekday: "monday",
      time: "08:00",
      timeZone,
      entity: formText(form, "entity") || null,
    },
    caller.by,
  );
  return { nextSendAt: digest.nextSendAt };
});

export const updateDigestAction = formStateAction("digests:own", PAGES, async (form, caller) => {
  const change = digestBody(form);
  const id = formId(form, "digest");
  const digest = await updateDigest(caller.db, id, ownerOf(caller), change, caller.by);
  return { nextSendAt: digest.nextSendAt };
});

export async function setDigestEnabledAction(form: FormData): Promise<ActionResult> {
  return formAction("digests:own", PAGES, async (caller) => {
    const enabled = formText(form, "enabled") === "true";
    await updateDigest(caller.db, formId(form, "digest"), ownerOf(caller), { enabled }, caller.by);
    return undefined;
  });
}

export async function deleteDigestAction(form: FormData): Promise<ActionResult> {
  return formAction("digests:own", PAGES, async (caller) => {
    await deleteDigest(caller.db, formId(form, "digest"), ownerOf(caller), caller.by);
    return undefined;
  });
}
