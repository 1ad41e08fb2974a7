"use client";

import type { ReactNode } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { ShownOnce } from "@/components/ui/shown-once";

/** Creates an API key or a personal token and shows it once: Closeline keeps only its hash. */
export function CreateCredentialForm({
  noun,
  action,
  help,
  helpId,
  testId,
  children,
}: {
  noun: "Key" | "Token";
  action: FormAction<{ key: string; name: string }>;
  help: string;
  helpId: string;
  /** Of the block that shows the new secret. */
  testId: string;
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
      {children}
    </ActionForm>
  );
}
