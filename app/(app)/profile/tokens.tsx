"use client";

import { useActionState, useState, useTransition } from "react";
import { createTokenAction, revokeTokenAction } from "./token-actions";

export function CreateTokenForm() {
  const [state, action, pending] = useActionState(createTokenAction, null);
  return (
    <form action={action} className="form-row" aria-describedby="token-help">
      <label className="field">
        Name
        <input name="name" required maxLength={100} placeholder="e.g. nightly retry script" />
      </label>
      <label className="field">
        Expires (optional)
        <input name="expires" type="date" />
      </label>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create token"}
      </button>
      <p id="token-help" className="muted" style={{ flexBasis: "100%", margin: 0 }}>
        A token acts as you, with your role, and every action it takes is recorded as yours. It is
        shown once; Closeline keeps only its hash.
      </p>
      {state && !state.ok ? (
        <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
          {state.error}
        </p>
      ) : null}
      {state?.ok ? (
        <div className="alert success" role="status" style={{ flexBasis: "100%" }}>
          <p style={{ marginTop: 0 }}>
            Token <strong>{state.data.name}</strong> created. Copy it now; it will not be shown
            again.
          </p>
          <div className="secret" data-testid="new-personal-token">
            {state.data.key}
          </div>
        </div>
      ) : null}
    </form>
  );
}

export function RevokeTokenButton({ id, name }: { id: string; name: string }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={pending}
        aria-label={`Revoke token ${name}`}
        onClick={() => {
          if (!window.confirm(`Revoke the token "${name}"? Scripts using it will get 401 at once.`))
            return;
          const form = new FormData();
          form.set("id", id);
          startTransition(async () => {
            const result = await revokeTokenAction(form);
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
