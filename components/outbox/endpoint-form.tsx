"use client";

import { useActionState } from "react";
import { ShownOnce } from "@/components/ui/shown-once";
import type { ActionResult } from "@/lib/http/action-result";

type Created = { name: string; secret: string };

/** Adds a webhook endpoint; its signing secret is shown once, right after creation. */
export function CreateEndpointForm({
  kinds,
  create,
}: {
  kinds: readonly string[];
  create: (
    previous: ActionResult<Created> | null,
    form: FormData,
  ) => Promise<ActionResult<Created>>;
}) {
  const [state, action, pending] = useActionState(create, null);
  return (
    <form action={action} className="form-row" aria-describedby="endpoint-help">
      <label className="field">
        Name
        <input name="name" required maxLength={100} placeholder="e.g. ERP connector" />
      </label>
      <label className="field" style={{ flex: "1 1 20rem" }}>
        URL
        <input
          name="url"
          type="url"
          required
          maxLength={2000}
          placeholder="https://erp-connector.internal/webhooks"
        />
      </label>
      <fieldset className="form-row" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="muted" style={{ fontSize: "0.85rem" }}>
          Receives
        </legend>
        {kinds.map((kind) => (
          <label key={kind}>
            <input type="checkbox" name="kinds" value={kind} defaultChecked={kind === kinds[0]} />{" "}
            <code>{kind}</code>
          </label>
        ))}
      </fieldset>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add endpoint"}
      </button>
      <p id="endpoint-help" className="muted" style={{ flexBasis: "100%", margin: 0 }}>
        Each delivery is signed per Standard Webhooks (webhook-id, webhook-timestamp,
        webhook-signature) with the endpoint&apos;s secret, shown once after it is added. One active
        endpoint receives each kind.
      </p>
      {state && !state.ok ? (
        <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
          {state.error}
        </p>
      ) : null}
      {state?.ok ? (
        <ShownOnce secret={state.data.secret} testId="new-webhook-secret">
          Endpoint <strong>{state.data.name}</strong> added. Give the receiving system this signing
          secret now; it will not be shown again.
        </ShownOnce>
      ) : null}
    </form>
  );
}
