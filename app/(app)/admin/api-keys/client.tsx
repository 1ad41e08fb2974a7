"use client";

import { CreateCredentialForm } from "@/components/admin/create-credential-form";
import { FieldGroup } from "@/components/forms/field";
import { createApiKeyAction } from "./actions";

export function CreateApiKeyForm() {
  return (
    <CreateCredentialForm
      noun="Key"
      action={createApiKeyAction}
      helpId="key-help"
      help="The key is shown once, right after it is created. Closeline keeps only its hash."
      namePlaceholder="e.g. Billing middleware"
      testId="new-api-key"
    >
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
