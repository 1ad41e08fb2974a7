"use client";

import { useActionState } from "react";
import { ShownOnce } from "@/components/ui/shown-once";
import { createTokenAction } from "./token-actions";

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
        <ShownOnce secret={state.data.key} testId="new-personal-token">
          Token <strong>{state.data.name}</strong> created. Copy it now; it will not be shown again.
        </ShownOnce>
      ) : null}
    </form>
  );
}
