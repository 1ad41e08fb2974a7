"use client";

import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Field, FieldGroup } from "@/components/forms/field";
import { ShownOnce } from "@/components/ui/shown-once";

/** Adds a webhook endpoint; its signing secret is shown once, right after creation. */
export function CreateEndpointForm({
  kinds,
  create,
}: {
  kinds: readonly string[];
  create: FormAction<{ name: string; secret: string }>;
}) {
  return (
    <ActionForm
      action={create}
      submit="Add endpoint"
      pendingLabel="Adding…"
      helpId="endpoint-help"
      help={
        <>
          Each delivery is signed per Standard Webhooks (webhook-id, webhook-timestamp,
          webhook-signature) with the endpoint&apos;s secret, shown once after it is added. One
          active endpoint receives each kind.
        </>
      }
      done={(created) => (
        <ShownOnce secret={created.secret} testId="new-webhook-secret">
          Endpoint <strong>{created.name}</strong> added. Give the receiving system this signing
          secret now; it will not be shown again.
        </ShownOnce>
      )}
    >
      <Field label="Name">
        <input name="name" required maxLength={100} placeholder="e.g. ERP connector" />
      </Field>
      <Field label="URL" style={{ flex: "1 1 20rem" }}>
        <input
          name="url"
          type="url"
          required
          maxLength={2000}
          placeholder="https://erp-connector.internal/webhooks"
        />
      </Field>
      <FieldGroup legend="Receives">
        {kinds.map((kind) => (
          <label key={kind}>
            <input type="checkbox" name="kinds" value={kind} defaultChecked={kind === kinds[0]} />{" "}
            <code>{kind}</code>
          </label>
        ))}
      </FieldGroup>
    </ActionForm>
  );
}
