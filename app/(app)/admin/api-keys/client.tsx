"use client";

import { useActionState } from "react";
import { ShownOnce } from "@/components/ui/shown-once";
import { createApiKeyAction } from "./actions";

export function CreateApiKeyForm() {
  const [state, action, pending] = useActionState(createApiKeyAction, null);
  return (
    <form action={action} className="form-row" aria-describedby="key-help">
      <label className="field">
        Name
        <input name="name" required maxLength={100} placeholder="e.g. Billing middleware" />
      </label>
      <fieldset className="form-row" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="muted" style={{ fontSize: "0.85rem" }}>
          Scopes
        </legend>
        <label>
          <input type="checkbox" name="scopes" value="ingest" defaultChecked /> ingest
        </label>
        <label>
          <input type="checkbox" name="scopes" value="read" /> read
        </label>
        <label>
          <input type="checkbox" name="scopes" value="work" /> work (queue actions, never approval)
        </label>
      </fieldset>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create key"}
      </button>
      <p id="key-help" className="muted" style={{ flexBasis: "100%", margin: 0 }}>
        The key is shown once, right after it is created. Closeline keeps only its hash.
      </p>
      {state && !state.ok ? (
        <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
          {state.error}
        </p>
      ) : null}
      {state?.ok ? (
        <ShownOnce secret={state.data.key} testId="new-api-key">
          Key <strong>{state.data.name}</strong> created. Copy it now; it will not be shown again.
        </ShownOnce>
      ) : null}
    </form>
  );
}
