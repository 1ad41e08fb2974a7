"use client";

import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Field, SelectField } from "@/components/forms/field";
import { ShownOnce } from "@/components/ui/shown-once";
import { ALERT_CHANNEL_KINDS } from "@/lib/contract/alerts";

/** Adds a channel; a webhook channel's signing secret is shown once, right after creation. */
export function ChannelForm({
  create,
}: {
  create: FormAction<{ name: string; secret: string | null }>;
}) {
  return (
    <ActionForm
      action={create}
      submit="Add channel"
      pendingLabel="Adding…"
      done={(created) => (
        <ShownOnce secret={created.secret}>
          Channel <strong>{created.name}</strong> added.
          {created.secret
            ? " Give the receiver this signing secret now; it will not be shown again."
            : null}
        </ShownOnce>
      )}
    >
      <SelectField label="Kind" name="kind" defaultValue="webhook" values={ALERT_CHANNEL_KINDS} />
      <Field label="Name">
        <input name="name" required maxLength={100} placeholder="On-call bridge" />
      </Field>
      <Field label="URL" style={{ flex: "1 1 20rem" }}>
        <input name="url" type="url" required maxLength={2000} />
      </Field>
    </ActionForm>
  );
}
