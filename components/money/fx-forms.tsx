"use client";

import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { CurrencyCodeInput } from "@/components/forms/currency-input";
import { Field } from "@/components/forms/field";

type Saved = { savedAt: string };

/** The reporting currency: every amount at risk is also shown, sorted and summed in it. */
export function ReportingCurrencyForm({
  current,
  save,
}: {
  current: string;
  save: FormAction<Saved>;
}) {
  return (
    <ActionForm
      action={save}
      submit="Save reporting currency"
      success={() => "Reporting currency saved; every exception was converted into it again."}
      testId="reporting-currency-form"
    >
      <Field label="Reporting currency">
        <CurrencyCodeInput name="currency" defaultValue={current} autoComplete="off" />
      </Field>
    </ActionForm>
  );
}

/** One exchange rate typed in by an admin, for a pair and the day it takes effect. */
export function RateEntryForm({
  reportingCurrency,
  save,
}: {
  reportingCurrency: string;
  save: FormAction<Saved>;
}) {
  return (
    <ActionForm
      action={save}
      submit="Enter rate"
      success={() => "Rate saved; the exceptions it applies to were converted again."}
      testId="fx-rate-form"
    >
      <Field label="From currency">
        <CurrencyCodeInput name="currency" />
      </Field>
      <Field label="Into currency">
        <CurrencyCodeInput name="reportingCurrency" defaultValue={reportingCurrency} />
      </Field>
      <Field label="Rate (units per one)">
        <input name="rate" required inputMode="decimal" size={14} placeholder="1.0825" />
      </Field>
      <Field label="Effective from (UTC day)">
        <input name="effectiveDate" type="date" required />
      </Field>
    </ActionForm>
  );
}
