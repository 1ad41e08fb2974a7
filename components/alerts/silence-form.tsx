"use client";

import { useId } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Field } from "@/components/forms/field";
import { SILENCE_LENGTHS } from "@/lib/alerts/silence-lengths";

/** Silences one alert (or every alert of its rule) for a while, saying why. */
export function SilenceForm({
  alertId,
  alertName,
  perDimension,
  silence,
}: {
  alertId: string;
  alertName: string;
  /** The alert is one dimension of its rule: the form offers this one or all of them. */
  perDimension: boolean;
  silence: FormAction<{ until: string }>;
}) {
  const id = useId();
  return (
    <ActionForm
      action={silence}
      submit="Silence"
      pendingLabel="Silencing…"
      primary={false}
      ariaLabel={`Silence ${alertName}`}
      success={(done) => <>Silenced until {new Date(done.until).toLocaleString()}.</>}
    >
      <input type="hidden" name="id" value={alertId} />
      <Field label="For" htmlFor={`${id}-for`}>
        <select id={`${id}-for`} name="for" defaultValue="PT4H">
          {SILENCE_LENGTHS.map((length) => (
            <option key={length.value} value={length.value}>
              {length.label}
            </option>
          ))}
        </select>
      </Field>
      {perDimension ? (
        <Field label="Scope" htmlFor={`${id}-scope`}>
          <select id={`${id}-scope`} name="scope" defaultValue="alert">
            <option value="alert">this alert</option>
            <option value="rule">the whole rule</option>
          </select>
        </Field>
      ) : (
        <input type="hidden" name="scope" value="rule" />
      )}
      <Field label="Why" htmlFor={`${id}-comment`} style={{ flex: "1 1 12rem" }}>
        <input
          id={`${id}-comment`}
          name="comment"
          required
          maxLength={2000}
          placeholder="Planned maintenance"
        />
      </Field>
    </ActionForm>
  );
}
