"use client";

import type { FormAction } from "@/components/forms/action-form";
import { Field } from "@/components/forms/field";
import { SILENCE_LENGTHS } from "@/lib/alerts/silence-lengths";
import { AlertActionForm } from "./alert-action-form";

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
  return (
    <AlertActionForm
      alertId={alertId}
      alertName={alertName}
      action={silence}
      verb="Silence"
      pendingLabel="Silencing…"
      success={(done) => <>Silenced until {new Date(done.until).toLocaleString()}.</>}
      comment={{ label: "Why", placeholder: "Planned maintenance", flex: "1 1 12rem" }}
      fields={(id) => (
        <>
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
        </>
      )}
    />
  );
}
