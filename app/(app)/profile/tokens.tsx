"use client";

import { useActionState } from "react";
import { Field, FormHelp } from "@/components/forms/field";
import { FormStatus } from "@/components/forms/form-status";
import { SubmitButton } from "@/components/forms/submit-button";
import { ShownOnce } from "@/components/ui/shown-once";
import { createTokenAction } from "./token-actions";

export function CreateTokenForm() {
  const [state, action] = useActionState(createTokenAction, null);
  return (
    <form action={action} className="form-row" aria-describedby="token-help">
      <Field label="Name">
        <input name="name" required maxLength={100} placeholder="e.g. nightly retry script" />
      </Field>
      <Field label="Expires (optional)">
        <input name="expires" type="date" />
      </Field>
      <SubmitButton label="Create token" pendingLabel="Creating…" />
      <FormHelp id="token-help">
        A token acts as you, with your role, and every action it takes is recorded as yours. It is
        shown once; Closeline keeps only its hash.
      </FormHelp>
      <FormStatus
        state={state}
        done={(created) => (
          <ShownOnce secret={created.key} testId="new-personal-token">
            Token <strong>{created.name}</strong> created. Copy it now; it will not be shown again.
          </ShownOnce>
        )}
      />
    </form>
  );
}
