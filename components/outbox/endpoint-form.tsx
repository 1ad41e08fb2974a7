"use client";

import { useActionState } from "react";
import { Field, FieldGroup, FormHelp } from "@/components/forms/field";
import { FormStatus } from "@/components/forms/form-status";
import { SubmitButton } from "@/components/forms/submit-button";
import { ShownOnce } from "@/components/ui/shown-once";
import type { ActionResult } from "@/lib/http/action-result";

type Created = { name: string; secret: string };

/** Adds a webhook endpoint; its signing secret is shown once, right after creation. */
export function CreateEndpointForm({
  kinds,
  create,
}: {
  kinds: readonly string[];
  create: (
    previous: ActionResult<Created> | null,
    form: FormData,
  ) => Promise<ActionResult<Created>>;
}) {
  const [state, action] = useActionState(create, null);
  return (
    <form action={action} className="form-row" aria-describedby="endpoint-help">
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
      <SubmitButton label="Add endpoint" pendingLabel="Adding…" />
      <FormHelp id="endpoint-help">
        Each delivery is signed per Standard Webhooks (webhook-id, webhook-timestamp,
        webhook-signature) with the endpoint&apos;s secret, shown once after it is added. One active
        endpoint receives each kind.
      </FormHelp>
      <FormStatus
        state={state}
        done={(created) => (
          <ShownOnce secret={created.secret} testId="new-webhook-secret">
            Endpoint <strong>{created.name}</strong> added. Give the receiving system this signing
            secret now; it will not be shown again.
          </ShownOnce>
        )}
      />
    </form>
  );
}
