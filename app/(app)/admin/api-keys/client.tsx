"use client";

import { useActionState, useState, useTransition } from "react";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";

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
        <div className="alert success" role="status" style={{ flexBasis: "100%" }}>
          <p style={{ marginTop: 0 }}>
            Key <strong>{state.data.name}</strong> created. Copy it now; it will not be shown again.
          </p>
          <div className="secret" data-testid="new-api-key">
            {state.data.key}
          </div>
        </div>
      ) : null}
    </form>
  );
}

export function RevokeApiKeyButton({ id, name }: { id: string; name: string }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={pending}
        aria-label={`Revoke key ${name}`}
        onClick={() => {
          if (
            !window.confirm(`Revoke the key "${name}"? Integrations using it will get 401 at once.`)
          )
            return;
          const form = new FormData();
          form.set("id", id);
          startTransition(async () => {
            const result = await revokeApiKeyAction(form);
            setError(result.ok ? null : result.error);
          });
        }}
      >
        {pending ? "Revoking…" : "Revoke"}
      </button>
      {error ? (
        <span role="alert" className="badge bad">
          {error}
        </span>
      ) : null}
    </>
  );
}
