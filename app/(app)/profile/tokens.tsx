"use client";

import { CreateCredentialForm } from "@/components/admin/create-credential-form";
import { Field } from "@/components/forms/field";
import { createTokenAction } from "./token-actions";

export function CreateTokenForm() {
  return (
    <CreateCredentialForm
      noun="Token"
      action={createTokenAction}
      helpId="token-help"
      help="A token acts as you, with your role, and every action it takes is recorded as yours. It is shown once; Closeline keeps only its hash."
      namePlaceholder="e.g. nightly retry script"
      testId="new-personal-token"
    >
      <Field label="Expires (optional)">
        <input name="expires" type="date" />
      </Field>
    </CreateCredentialForm>
  );
}
