"use client";

import { useId, useState } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { ChoiceOptions, Field, Options } from "@/components/forms/field";
import { DateTime } from "@/components/ui/date-time";
import { DIGEST_CADENCES, type DigestView } from "@/lib/contract/digests";
import { WEEKDAYS } from "@/lib/digests/schedule";

/** "weekly" reads "Weekly", "monday" "Monday": options read as words, not stored values. */
const capitalised = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

export interface DigestChannelChoice {
  id: string;
  name: string;
  kind: string;
}

/**
 * Adds a digest, or changes one (`digest` given: its target stays). Channels are offered to
 * those who may send to them; a PagerDuty channel takes no digest and is never offered.
 */
export function DigestForm({
  action,
  digest,
  channels,
  entities,
  zones,
  defaultTimeZone,
  submit,
  pendingLabel,
}: {
  action: FormAction<{ nextSendAt: string | null }>;
  digest?: DigestView;
  channels: DigestChannelChoice[];
  entities: string[];
  zones: readonly string[];
  defaultTimeZone: string;
  submit: string;
  pendingLabel: string;
}) {
  const id = useId();
  const [cadence, setCadence] = useState<string>(digest?.cadence ?? "weekly");
  const offered = channels.filter((c) => c.kind !== "pagerduty");
  return (
    <ActionForm
      action={action}
      submit={submit}
      pendingLabel={pendingLabel}
      primary={!digest}
      ariaLabel={digest ? "Change the digest" : "Add a digest"}
      success={(done) =>
        done.nextSendAt ? (
          <>
            Saved. The next one goes out <DateTime value={done.nextSendAt} />.
          </>
        ) : (
          "Saved. It is paused."
        )
      }
    >
      {digest ? <input type="hidden" name="id" value={digest.id} /> : null}
      {!digest && offered.length > 0 ? (
        <Field label="Send to" htmlFor={`${id}-target`}>
          <select id={`${id}-target`} name="channelId" defaultValue="">
            <ChoiceOptions
              choices={[
                { value: "", label: "My own address" },
                ...offered.map((c) => ({ value: c.id, label: `${c.name} (${c.kind})` })),
              ]}
            />
          </select>
        </Field>
      ) : null}
      <Field label="How often" htmlFor={`${id}-cadence`}>
        <select
          id={`${id}-cadence`}
          name="cadence"
          value={cadence}
          onChange={(event) => setCadence(event.target.value)}
        >
          <Options values={DIGEST_CADENCES} label={capitalised} />
        </select>
      </Field>
      {cadence === "weekly" ? (
        <Field label="On" htmlFor={`${id}-weekday`}>
          <select id={`${id}-weekday`} name="weekday" defaultValue={digest?.weekday ?? "monday"}>
            <Options values={WEEKDAYS} label={capitalised} />
          </select>
        </Field>
      ) : null}
      <Field label="At" htmlFor={`${id}-time`}>
        <input
          id={`${id}-time`}
          name="time"
          type="time"
          required
          defaultValue={digest?.time ?? "08:00"}
        />
      </Field>
      <Field label="Sending time zone" htmlFor={`${id}-zone`}>
        <select
          id={`${id}-zone`}
          name="timeZone"
          defaultValue={digest?.timeZone ?? defaultTimeZone}
        >
          <Options values={zones} />
        </select>
      </Field>
      <Field label="Entity" htmlFor={`${id}-entity`}>
        <select id={`${id}-entity`} name="entity" defaultValue={digest?.entity ?? ""}>
          <ChoiceOptions
            choices={[
              { value: "", label: "All entities" },
              ...entities.map((e) => ({ value: e, label: e })),
            ]}
          />
        </select>
      </Field>
    </ActionForm>
  );
}
