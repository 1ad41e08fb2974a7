"use client";

import { useQueryStates } from "nuqs";
import { useActionState } from "react";
import type { ActionResult } from "@/lib/http/action-result";
import { periodAction, setMaterialityAction } from "./actions";
import { closeParsers } from "./search-params";

type PeriodChoice = { key: string; label: string };

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
  const index = periods.findIndex((p) => p.key === value);
  const step = (delta: number) => {
    const next = periods[index + delta];
    if (next) onChange(next.key);
  };
  return (
    <>
      <label className="field">
        {label}
        <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
          {periods.map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
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
  const [, setParams] = useQueryStates(closeParsers, { shallow: false, history: "push" });
  return (
    <form
      className="filters no-print"
      aria-label="Entity and period"
      onSubmit={(e) => e.preventDefault()}
    >
      <label className="field">
        Entity
        <select
          name="entity"
          value={entity}
          onChange={(e) => void setParams({ entity: e.target.value, period })}
        >
          {entities.map((e) => (
            <option key={e} value={e}>
              {e}
            </option>
          ))}
        </select>
      </label>
      <MonthSelect
        label="Accounting period"
        name="period"
        periods={periods}
        value={period}
        onChange={(key) => void setParams({ entity, period: key })}
      />
    </form>
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
  const [, setParams] = useQueryStates(closeParsers, { shallow: false, history: "push" });
  return (
    <form
      className="filters no-print"
      aria-label="Months shown"
      onSubmit={(e) => e.preventDefault()}
    >
      <MonthSelect
        label="Six months through"
        name="through"
        periods={periods}
        value={through}
        onChange={(key) => void setParams({ through: key })}
      />
    </form>
  );
}

export function PrintButton() {
  return (
    <button type="button" onClick={() => window.print()}>
      Print / save as PDF
    </button>
  );
}

function Outcome({ state }: { state: ActionResult<string> | null }) {
  if (!state) return null;
  return state.ok ? (
    <p className="alert success" role="status" style={{ flexBasis: "100%", margin: 0 }}>
      {state.data}
    </p>
  ) : (
    <p className="alert error" role="alert" style={{ flexBasis: "100%", margin: 0 }}>
      {state.error}
    </p>
  );
}

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
      <Outcome state={state} />
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
        <input
          name="currency"
          required
          list="close-currencies"
          pattern="[A-Za-z]{3}"
          maxLength={3}
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
      <Outcome state={state} />
    </form>
  );
}
