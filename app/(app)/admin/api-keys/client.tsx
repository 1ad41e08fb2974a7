"use client";

import { CreateCredentialForm } from "@/components/admin/create-credential-form";
import { Field, FieldGroup } from "@/components/forms/field";
import { createApiKeyAction } from "./actions";

export function CreateApiKeyForm() {
  return (
    <CreateCredentialForm
      noun="Key"
      action={createApiKeyAction}
      helpId="key-help"
      help="The key is shown once, right after it is created. Closeline keeps only its hash."
      testId="new-api-key"
    >
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
    </CreateCredentialForm>
  );
}
