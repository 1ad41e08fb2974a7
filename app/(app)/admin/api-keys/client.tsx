"use client";

import { useActionState } from "react";
import { Field, FieldGroup, FormHelp } from "@/components/forms/field";
import { FormStatus } from "@/components/forms/form-status";
import { SubmitButton } from "@/components/forms/submit-button";
import { ShownOnce } from "@/components/ui/shown-once";
import { createApiKeyAction } from "./actions";

export function CreateApiKeyForm() {
  const [state, action] = useActionState(createApiKeyAction, null);
  return (
    <form action={action} className="form-row" aria-describedby="key-help">
      <Field label="Name">
        <input name="name" required maxLength={100} placeholder="e.g. Billing middleware" />
      </Field>
      <FieldGroup legend="Scopes">
        <label>
          <input type="checkbox" name="scopes" value="ingest" defaultChecked /> ingest
        </label>
        <label>
          <input type="checkbox" name="scopes" value="read" /> read
        </label>
        <label>
          <input type="checkbox" name="scopes" value="work" /> work (queue actions, never approval)
        </label>
      </FieldGroup>
      <SubmitButton label="Create key" pendingLabel="Creating…" />
      <FormHelp id="key-help">
        The key is shown once, right after it is created. Closeline keeps only its hash.
      </FormHelp>
      <FormStatus
        state={state}
        done={(created) => (
          <ShownOnce secret={created.key} testId="new-api-key">
            Key <strong>{created.name}</strong> created. Copy it now; it will not be shown again.
          </ShownOnce>
        )}
      />
    </form>
  );
}
