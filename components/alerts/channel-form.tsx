"use client";

import { useActionState } from "react";
import { Field, Options } from "@/components/forms/field";
import { FormStatus } from "@/components/forms/form-status";
import { SubmitButton } from "@/components/forms/submit-button";
import { ShownOnce } from "@/components/ui/shown-once";
import { ALERT_CHANNEL_KINDS } from "@/lib/contract/alerts";
import type { ActionResult } from "@/lib/http/action-result";

type Created = { name: string; secret: string | null };

/** Adds a channel; a webhook channel's signing secret is shown once, right after creation. */
export function ChannelForm({
  create,
}: {
  create: (
    previous: ActionResult<Created> | null,
    form: FormData,
  ) => Promise<ActionResult<Created>>;
}) {
  const [state, action] = useActionState(create, null);
  return (
    <form action={action} className="form-row">
      <Field label="Kind">
        <select name="kind" defaultValue="webhook">
          <Options values={ALERT_CHANNEL_KINDS} />
        </select>
      </Field>
      <Field label="Name">
        <input name="name" required maxLength={100} placeholder="On-call bridge" />
      </Field>
      <Field label="URL" style={{ flex: "1 1 20rem" }}>
        <input name="url" type="url" required maxLength={2000} />
      </Field>
      <SubmitButton label="Add channel" pendingLabel="Adding…" />
      <FormStatus
        state={state}
        done={(created) => (
          <ShownOnce secret={created.secret}>
            Channel <strong>{created.name}</strong> added.
            {created.secret
              ? " Give the receiver this signing secret now; it will not be shown again."
              : null}
          </ShownOnce>
        )}
      />
    </form>
  );
}
