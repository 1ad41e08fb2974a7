"use client";

import type { ReactNode } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Field } from "@/components/forms/field";
import { ShownOnce } from "@/components/ui/shown-once";

/**
 * Creates an API key or a personal token and shows it once: Closeline keeps only its hash.
 * Each has a name; `children` are the fields only one of them has.
 */
export function CreateCredentialForm({
  noun,
  action,
  help,
  helpId,
  testId,
  namePlaceholder,
  children,
}: {
  noun: "Key" | "Token";
  action: FormAction<{ key: string; name: string }>;
  help: string;
  helpId: string;
  /** Of the block that shows the new secret. */
  testId: string;
  /** An example name, such as what the credential will be used by. */
  namePlaceholder: string;
  children: ReactNode;
}) {
  return (
    <ActionForm
      action={action}
      submit={`Create ${noun.toLowerCase()}`}
      pendingLabel="Creating…"
      helpId={helpId}
      help={help}
      done={(created) => (
        <ShownOnce secret={created.key} testId={testId}>
          {noun} <strong>{created.name}</strong> created. Copy it now; it will not be shown again.
        </ShownOnce>
      )}
    >
      <Field label="Name">
        <input name="name" required maxLength={100} placeholder={namePlaceholder} />
      </Field>
      {children}
    </ActionForm>
  );
}
