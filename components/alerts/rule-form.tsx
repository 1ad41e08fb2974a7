"use client";

import { ActionForm, type FormAction } from "@/components/forms/action-form";
import type { ActionResult } from "@/lib/http/action-result";
import { BacktestButton, type BacktestView } from "./backtest-button";
import { Field, FieldGroup, Options, SelectField } from "@/components/forms/field";
import {
  ALERT_SEVERITIES,
  COMPARISONS,
  KPI_METRIC_LABELS,
  KPI_METRICS,
} from "@/lib/contract/alerts";

/** A KPI threshold rule; the same contract as POST /api/v1/alert-rules validates it. */
export function RuleForm({
  channels,
  create,
  backtest,
}: {
  channels: { id: string; name: string; kind: string }[];
  create: FormAction<{ name: string }>;
  /** Given to those who may write rules: how often the rule would have fired lately. */
  backtest?: (form: FormData) => Promise<ActionResult<BacktestView>>;
}) {
  return (
    <ActionForm
      action={create}
      submit="Add rule"
      pendingLabel="Saving…"
      helpId="rule-help"
      help={
        <>
          Durations are ISO 8601: P1D is a day, PT10M ten minutes. A figure with nothing to measure
          never fires. Leave the entity empty for the whole company, or write * for one alert per
          entity.
        </>
      }
      success={(created) => (
        <>
          Rule <strong>{created.name}</strong> added.
        </>
      )}
    >
      <Field label="Name" style={{ flex: "1 1 16rem" }}>
        <input name="name" required maxLength={200} placeholder="First pass below 90 %" />
      </Field>
      <SelectField
        label="Severity"
        name="severity"
        defaultValue="warning"
        values={ALERT_SEVERITIES}
      />
      <Field label="Figure" style={{ flex: "1 1 16rem" }}>
        <select name="metric" defaultValue="erpPosting.firstPassSuccessRate">
          <Options values={KPI_METRICS} label={(m) => KPI_METRIC_LABELS[m]} />
        </select>
      </Field>
      <SelectField label="Comparison" name="op" defaultValue="<" values={COMPARISONS} />
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
      <Field label="Repeat every">
        <input
          name="repeat"
          pattern="P.*"
          placeholder="never; e.g. PT4H"
          aria-describedby="rule-help"
        />
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
      {backtest ? <BacktestButton backtest={backtest} /> : null}
    </ActionForm>
  );
}
