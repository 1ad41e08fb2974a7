"use client";

import { useQueryStates } from "nuqs";
import { useActionState } from "react";
import type { ReactNode } from "react";
import { CurrencyCodeInput } from "@/components/forms/currency-input";
import { ChoiceOptions, Options } from "@/components/forms/field";
import { FormStatus } from "@/components/forms/form-status";
import { periodAction, setMaterialityAction } from "./actions";
import type { PeriodChoice } from "./picker-periods";
import { closeParsers } from "./search-params";

/** A month picker with a step either way; `periods` newest first. */
function MonthSelect({
  label,
  name,
  periods,
  value,
  onChange,
}: {
  label: string;
  name: string;
  periods: PeriodChoice[];
  value: string;
  onChange: (key: string) => void;
}) {
  const index = periods.findIndex((p) => p.value === value);
  const step = (delta: number) => {
    const next = periods[index + delta];
    if (next) onChange(next.value);
  };
  return (
    <>
      <label className="field">
        {label}
        <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
          <ChoiceOptions choices={periods} />
        </select>
      </label>
      <button
        type="button"
        onClick={() => step(1)}
        disabled={index < 0 || index >= periods.length - 1}
      >
        ← Earlier
      </button>
      <button type="button" onClick={() => step(-1)} disabled={index <= 0}>
        Later →
      </button>
    </>
  );
}

/** A close page's choice of what it shows, kept in the URL; a change renders the page again. */
function useSetCloseParams() {
  const [, setParams] = useQueryStates(closeParsers, { shallow: false, history: "push" });
  return setParams;
}

/** The pickers' form: it changes the URL as its fields change, so it is never submitted. */
function PickerForm({ label, children }: { label: string; children: ReactNode }) {
  return (
    <form className="filters no-print" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {children}
    </form>
  );
}

/** Entity and period of the checklist, kept in the URL; a change renders the page again. */
export function PeriodPicker({
  entities,
  entity,
  periods,
  period,
}: {
  entities: string[];
  entity: string;
  periods: PeriodChoice[];
  period: string;
}) {
  const setParams = useSetCloseParams();
  return (
    <PickerForm label="Entity and period">
      <label className="field">
        Entity
        <select
          name="entity"
          value={entity}
          onChange={(e) => void setParams({ entity: e.target.value, period })}
        >
          <Options values={entities} />
        </select>
      </label>
      <MonthSelect
        label="Accounting period"
        name="period"
        periods={periods}
        value={period}
        onChange={(key) => void setParams({ entity, period: key })}
      />
    </PickerForm>
  );
}

/** The portfolio's window: six months through the chosen period, kept in the URL. */
export function PortfolioPicker({
  periods,
  through,
}: {
  periods: PeriodChoice[];
  through: string;
}) {
  const setParams = useSetCloseParams();
  return (
    <PickerForm label="Months shown">
      <MonthSelect
        label="Six months through"
        name="through"
        periods={periods}
        value={through}
        onChange={(key) => void setParams({ through: key })}
      />
    </PickerForm>
  );
}

export function PrintButton() {
  return (
    <button type="button" onClick={() => window.print()}>
      Print / save as PDF
    </button>
  );
}

/** What the action did, in its own words. */
const said = (text: string) => text;

/**
 * Close or reopen the period. Closing a NO-GO period needs a reason (it goes to the audit log
 * with the blockers); reopening always does.
 */
export function PeriodCloseForm({
  entity,
  period,
  periodLabel,
  closed,
  go,
}: {
  entity: string;
  period: string;
  periodLabel: string;
  closed: boolean;
  go: boolean;
}) {
  const [state, action, pending] = useActionState(periodAction, null);
  return (
    <form action={action} className="form-row">
      <input type="hidden" name="entity" value={entity} />
      <input type="hidden" name="period" value={period} />
      <input type="hidden" name="intent" value={closed ? "reopen" : "close"} />
      {closed ? (
        <label className="field" style={{ flex: "1 1 24rem" }}>
          Why reopen {periodLabel}?
          <input
            key="reopen"
            name="reason"
            required
            maxLength={1000}
            placeholder="e.g. late credit note for cus_0042"
          />
        </label>
      ) : go ? null : (
        <label className="field" style={{ flex: "1 1 24rem" }}>
          The period is NO-GO. Why close it over its blockers?
          <input
            key="close"
            name="reason"
            required
            maxLength={1000}
            placeholder="e.g. CFO accepts: posting completes on the 2nd"
          />
        </label>
      )}
      {closed ? (
        <button type="submit" className="danger" disabled={pending}>
          {pending ? "Reopening…" : `Reopen ${periodLabel}`}
        </button>
      ) : (
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Closing…" : `Mark ${periodLabel} closed`}
        </button>
      )}
      <FormStatus state={state} success={said} />
    </form>
  );
}

/** Sets the threshold for one currency, typed in major units (e.g. 1,000.00). */
export function MaterialityForm({ entity, currencies }: { entity: string; currencies: string[] }) {
  const [state, action, pending] = useActionState(setMaterialityAction, null);
  return (
    <form action={action} className="form-row">
      <input type="hidden" name="entity" value={entity} />
      <label className="field">
        Currency
        <CurrencyCodeInput
          name="currency"
          list="close-currencies"
          size={5}
          defaultValue={currencies[0] ?? ""}
          placeholder="USD"
        />
        <datalist id="close-currencies">
          {currencies.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </label>
      <label className="field">
        Threshold (in major units)
        <input name="amount" required inputMode="decimal" placeholder="1,000.00" />
      </label>
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Saving…" : "Set materiality"}
      </button>
      <FormStatus state={state} success={said} />
    </form>
  );
}
