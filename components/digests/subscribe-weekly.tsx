"use client";

import { useSyncExternalStore } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { DateTime } from "@/components/ui/date-time";
import { RowActionButton } from "@/components/ui/row-action-button";
import type { ActionResult } from "@/lib/http/action-result";
import { browserZone, isTimeZone } from "@/lib/time-zone-name";

const noSubscription = () => () => {};

export interface WeeklySubscription {
  id: string;
  nextSendAt: string | null;
  timeZone: string;
}

/**
 * "Email me this every Monday": one click subscribes the reader to this overview (its entity)
 * by e-mail, Mondays at 08:00 in the browser's time zone (the profile's until the browser
 * says). Once subscribed it says so, with when the next one goes, and offers to unsubscribe.
 */
export function SubscribeWeekly({
  available,
  subscription,
  entity,
  profileTimeZone,
  subscribe,
  unsubscribe,
}: {
  /** False on an install with no SMTP server: nothing to offer, and it says why. */
  available: boolean;
  subscription: WeeklySubscription | null;
  entity: string | null;
  profileTimeZone: string;
  subscribe: FormAction<{ nextSendAt: string | null }>;
  unsubscribe: (form: FormData) => Promise<ActionResult>;
}) {
  // Only the browser knows its zone: the server renders the profile's, hydration replaces it.
  const timeZone = useSyncExternalStore(
    noSubscription,
    () => {
      const zone = browserZone();
      return zone && isTimeZone(zone) ? zone : profileTimeZone;
    },
    () => profileTimeZone,
  );
  if (!available && !subscription) {
    return (
      <p className="muted" style={{ margin: 0 }} data-testid="weekly-digest">
        E-mail digests need an SMTP server (SMTP_URL), which this install has not set.
      </p>
    );
  }
  if (subscription) {
    return (
      <div className="form-row" data-testid="weekly-digest" role="group" aria-label="Weekly digest">
        <span>
          You get this by e-mail every Monday at 08:00 ({subscription.timeZone})
          {subscription.nextSendAt ? (
            <>
              ; next on <DateTime value={subscription.nextSendAt} />
            </>
          ) : null}
          .
        </span>
        <RowActionButton
          id={subscription.id}
          label="Unsubscribe"
          pendingLabel="Unsubscribing…"
          ariaLabel="Unsubscribe from the weekly digest"
          action={unsubscribe}
        />
      </div>
    );
  }
  return (
    <ActionForm
      action={subscribe}
      submit="Email me this every Monday"
      pendingLabel="Subscribing…"
      primary={false}
      ariaLabel="Weekly digest"
      testId="weekly-digest"
      success={() => "Subscribed."}
    >
      <input type="hidden" name="timeZone" value={timeZone} />
      <input type="hidden" name="entity" value={entity ?? ""} />
    </ActionForm>
  );
}
