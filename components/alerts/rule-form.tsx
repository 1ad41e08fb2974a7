"use client";

import { useState } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import type { ActionResult } from "@/lib/http/action-result";
import { BacktestButton, type BacktestView } from "./backtest-button";
import { DurationField } from "@/components/forms/duration-field";
import { Field, FieldGroup, Options, SelectField } from "@/components/forms/field";
import {
  CONDITION_CHOICE_LABELS,
  CONDITION_CHOICES,
  type ConditionChoice,
} from "@/lib/alerts/rule-form";
import {
  ALERT_SEVERITIES,
  ALERTABLE_EXCEPTION_TYPES,
  COMPARISONS,
  EXCEPTION_SEVERITIES,
  KPI_CHANGE_UNITS,
  KPI_METRIC_LABELS,
  KPI_METRICS,
} from "@/lib/contract/alert-rules";
import { TYPE_LABELS } from "@/lib/exceptions/vocabulary";
import { currencyDigits } from "@/lib/format";

const ANY = "";

/** An example amount with as many decimals as the currency has: 50,000.00 USD, 50,000 JPY. */
const examplePlaceholder = (currency: string) => {
  const digits = currencyDigits(currency);
  return digits > 0 ? `50,000.${"0".repeat(digits)}` : "50,000";
};

/**
 * An alert rule: the fields shown follow the condition chosen. The same contract as
 * POST /api/v1/alert-rules validates it (lib/alerts/rule-form.ts shapes the fields).
 */
export function RuleForm({
  channels,
  reportingCurrency,
  create,
  backtest,
}: {
  channels: { id: string; name: string; kind: string }[];
  /** The currency an amount-at-risk threshold is typed in (an admin setting). */
  reportingCurrency: string;
  create: FormAction<{ name: string }>;
  /** Given to those who may write rules: how often the rule would have fired lately. */
  backtest?: (form: FormData) => Promise<ActionResult<BacktestView>>;
}) {
  const [choice, setChoice] = useState<ConditionChoice>("kpi");
  return (
    <ActionForm
      action={create}
      submit="Add rule"
      helpId="rule-help"
      help={
        <>
          A figure with nothing to measure never fires. Leave the entity empty for the whole
          company, or write * for one alert per entity.
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
      <Field label="Condition" style={{ flex: "1 1 18rem" }}>
        <select
          name="conditionKind"
          value={choice}
          onChange={(event) => setChoice(event.target.value as ConditionChoice)}
        >
          <Options values={CONDITION_CHOICES} label={(c) => CONDITION_CHOICE_LABELS[c]} />
        </select>
      </Field>
      <ConditionFields choice={choice} reportingCurrency={reportingCurrency} />
      <DurationField
        id="rule-for"
        label="For at least"
        name="for"
        defaultCount="0"
        defaultUnit="minutes"
      />
      <DurationField
        id="rule-repeat"
        label="Repeat every"
        name="repeat"
        placeholder="never"
        defaultUnit="hours"
      />
      {choice === "silence" ? null : (
        <Field label="Entity">
          <input name="entity" maxLength={200} placeholder="all; * for each" />
        </Field>
      )}
      {channels.length > 0 ? (
        <FieldGroup legend="Notify">
          {channels.map((c) => (
            <label key={c.id}>
              <input type="checkbox" name="channelIds" value={c.id} /> {c.name} ({c.kind})
            </label>
          ))}
        </FieldGroup>
      ) : (
        <p className="muted" style={{ flexBasis: "100%", margin: 0 }}>
          No channel yet: this rule&rsquo;s alerts will show on this page and in the bell only. Add
          a channel below, then choose it here.
        </p>
      )}
      {backtest ? <BacktestButton backtest={backtest} /> : null}
    </ActionForm>
  );
}

/** The type of exception a rule counts: one type, or any type when `anyType` (the first choice). */
function ExceptionTypeField({ anyType }: { anyType: boolean }) {
  return (
    <Field label="Exception type">
      <select name="exceptionType" defaultValue={anyType ? ANY : ALERTABLE_EXCEPTION_TYPES[0]}>
        {anyType ? <option value={ANY}>any type</option> : null}
        <Options values={ALERTABLE_EXCEPTION_TYPES} label={(t) => TYPE_LABELS[t]} />
      </select>
    </Field>
  );
}

/** The fields of one kind of condition; keyed by the choice so each starts from its defaults. */
function ConditionFields({
  choice,
  reportingCurrency,
}: {
  choice: ConditionChoice;
  reportingCurrency: string;
}) {
  switch (choice) {
    case "kpi":
    case "kpi_change":
      return (
        <>
          <SelectField
            label="Figure"
            name="metric"
            defaultValue="erpPosting.firstPassSuccessRate"
            values={KPI_METRICS}
            optionLabel={(m) => KPI_METRIC_LABELS[m]}
            style={{ flex: "1 1 16rem" }}
          />
          {choice === "kpi_change" ? (
            <SelectField
              label="Change in"
              name="unit"
              defaultValue="percent"
              values={KPI_CHANGE_UNITS}
            />
          ) : null}
          <SelectField label="Comparison" name="op" defaultValue="<" values={COMPARISONS} />
          <Field label={choice === "kpi" ? "Threshold" : "Change"} key={choice}>
            <input
              name="value"
              type="number"
              step="any"
              required
              defaultValue={choice === "kpi" ? "0.9" : "-20"}
            />
          </Field>
          <DurationField
            id="rule-window"
            label="Over the last"
            name="window"
            required
            defaultCount="1"
            defaultUnit="days"
          />
        </>
      );
    case "exceptions_amount":
      return (
        <>
          <ExceptionTypeField anyType key={choice} />
          <Field
            label={`Amount at risk above (${reportingCurrency})`}
            id="rule-above-amount"
            hint={`The open exceptions' amounts converted into ${reportingCurrency} and summed; an amount with no exchange rate adds nothing.`}
          >
            {(description) => (
              <input
                name="aboveAmount"
                required
                inputMode="decimal"
                autoComplete="off"
                placeholder={examplePlaceholder(reportingCurrency)}
                {...description}
              />
            )}
          </Field>
        </>
      );
    case "exceptions_open":
    case "exceptions_new":
    case "exceptions_sla":
      return (
        <>
          <ExceptionTypeField anyType={choice !== "exceptions_open"} key={choice} />
          {choice === "exceptions_new" ? (
            <SelectField
              label="At or above"
              name="exceptionSeverity"
              defaultValue="high"
              values={EXCEPTION_SEVERITIES}
            />
          ) : (
            <Field label="At least">
              <input name="atLeast" type="number" min={1} step={1} required defaultValue="1" />
            </Field>
          )}
        </>
      );
    case "close":
      return (
        <Field label="Days before the deadline">
          <input
            name="withinDays"
            type="number"
            min={0}
            max={31}
            step={1}
            required
            defaultValue="2"
          />
        </Field>
      );
    case "silence":
      return (
        <>
          <Field label="Source">
            <input name="source" maxLength={200} placeholder="each source" />
          </Field>
          <Field label="Event type">
            <input name="eventType" maxLength={200} placeholder="each type" />
          </Field>
          <DurationField
            id="rule-after"
            label="Silent for"
            name="after"
            placeholder="learned"
            defaultUnit="hours"
            describedBy="rule-after-hint"
          />
          <p id="rule-after-hint" className="muted" style={{ flexBasis: "100%", margin: 0 }}>
            Leave &ldquo;Silent for&rdquo; empty to flag a source quiet for longer than its own
            history allows.
          </p>
        </>
      );
  }
}
