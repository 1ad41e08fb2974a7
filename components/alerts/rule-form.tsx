"use client";

import { useActionState } from "react";
import {
  ALERT_SEVERITIES,
  COMPARISONS,
  KPI_METRIC_LABELS,
  KPI_METRICS,
} from "@/lib/contract/alerts";
import type { ActionResult } from "@/lib/http/action-result";

type Created = { name: string };

/** A KPI threshold rule; the same contract as POST /api/v1/alert-rules validates it. */
export function RuleForm({
  channels,
  create,
}: {
  channels: { id: string; name: string; kind: string }[];
  create: (
    previous: ActionResult<Created> | null,
    form: FormData,
  ) => Promise<ActionResult<Created>>;
}) {
  const [state, action, pending] = useActionState(create, null);
  return (
    <form action={action} className="form-row" aria-describedby="rule-help">
      <label className="field" style={{ flex: "1 1 16rem" }}>
        Name
        <input name="name" required maxLength={200} placeholder="First pass below 90 %" />
      </label>
      <label className="field">
        Severity
        <select name="severity" defaultValue="warning">
          {ALERT_SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="field" style={{ flex: "1 1 16rem" }}>
        Figure
        <select name="metric" defaultValue="erpPosting.firstPassSuccessRate">
          {KPI_METRICS.map((m) => (
            <option key={m} value={m}>
              {KPI_METRIC_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Comparison
        <select name="op" defaultValue="<">
          {COMPARISONS.map((op) => (
            <option key={op} value={op}>
              {op}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Threshold
        <input name="value" type="number" step="any" required defaultValue="0.9" />
      </label>
      <label className="field">
        Over the last
        <input
          name="window"
          required
          defaultValue="P1D"
          pattern="P.*"
          aria-describedby="rule-help"
        />
      </label>
      <label className="field">
        For at least
        <input name="for" defaultValue="PT0S" pattern="P.*" aria-describedby="rule-help" />
      </label>
      <label className="field">
        Entity
        <input name="entity" maxLength={200} placeholder="all; * for each" />
      </label>
      {channels.length > 0 ? (
        <fieldset className="form-row" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="muted" style={{ fontSize: "0.85rem" }}>
            Notify
          </legend>
          {channels.map((c) => (
            <label key={c.id}>
              <input type="checkbox" name="channelIds" value={c.id} /> {c.name} ({c.kind})
            </label>
          ))}
        </fieldset>
      ) : null}
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Saving…" : "Add rule"}
      </button>
      <p id="rule-help" className="muted" style={{ flexBasis: "100%", margin: 0 }}>
        Durations are ISO 8601: P1D is a day, PT10M ten minutes. A figure with nothing to measure
        never fires. Leave the entity empty for the whole company, or write * for one alert per
        entity.
      </p>
      {state && !state.ok ? (
        <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
          {state.error}
        </p>
      ) : null}
      {state?.ok ? (
        <p className="alert success" role="status" style={{ flexBasis: "100%" }}>
          Rule <strong>{state.data.name}</strong> added.
        </p>
      ) : null}
    </form>
  );
}
