"use client";

import { useActionState } from "react";
import { Field, FieldGroup, FormHelp, Options } from "@/components/forms/field";
import { FormStatus } from "@/components/forms/form-status";
import { SubmitButton } from "@/components/forms/submit-button";
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
  const [state, action] = useActionState(create, null);
  return (
    <form action={action} className="form-row" aria-describedby="rule-help">
      <Field label="Name" style={{ flex: "1 1 16rem" }}>
        <input name="name" required maxLength={200} placeholder="First pass below 90 %" />
      </Field>
      <Field label="Severity">
        <select name="severity" defaultValue="warning">
          <Options values={ALERT_SEVERITIES} />
        </select>
      </Field>
      <Field label="Figure" style={{ flex: "1 1 16rem" }}>
        <select name="metric" defaultValue="erpPosting.firstPassSuccessRate">
          <Options values={KPI_METRICS} label={(m) => KPI_METRIC_LABELS[m]} />
        </select>
      </Field>
      <Field label="Comparison">
        <select name="op" defaultValue="<">
          <Options values={COMPARISONS} />
        </select>
      </Field>
      <Field label="Threshold">
        <input name="value" type="number" step="any" required defaultValue="0.9" />
      </Field>
      <Field label="Over the last">
        <input
          name="window"
          required
          defaultValue="P1D"
          pattern="P.*"
          aria-describedby="rule-help"
        />
      </Field>
      <Field label="For at least">
        <input name="for" defaultValue="PT0S" pattern="P.*" aria-describedby="rule-help" />
      </Field>
      <Field label="Entity">
        <input name="entity" maxLength={200} placeholder="all; * for each" />
      </Field>
      {channels.length > 0 ? (
        <FieldGroup legend="Notify">
          {channels.map((c) => (
            <label key={c.id}>
              <input type="checkbox" name="channelIds" value={c.id} /> {c.name} ({c.kind})
            </label>
          ))}
        </FieldGroup>
      ) : null}
      <SubmitButton label="Add rule" pendingLabel="Saving…" />
      <FormHelp id="rule-help">
        Durations are ISO 8601: P1D is a day, PT10M ten minutes. A figure with nothing to measure
        never fires. Leave the entity empty for the whole company, or write * for one alert per
        entity.
      </FormHelp>
      <FormStatus
        state={state}
        success={(created) => (
          <>
            Rule <strong>{created.name}</strong> added.
          </>
        )}
      />
    </form>
  );
}
