import type { CSSProperties, ReactNode } from "react";

/** What a control spreads to be described by its field's hint and error. */
export type FieldDescription = { "aria-describedby"?: string; "aria-invalid"?: true };

/**
 * A labelled control: the label wraps the control, so it names it without an id. A hint or an
 * error stands below, outside the label (it must not become part of the control's name), and
 * the control names them in aria-describedby: pass a function as children to receive those
 * attributes.
 */
export function Field({
  label,
  children,
  id,
  hint,
  error,
  htmlFor,
  style,
}: {
  label: ReactNode;
  children: ReactNode | ((description: FieldDescription) => ReactNode);
  /** Prefixes the ids of the hint and the error. */
  id?: string;
  hint?: ReactNode;
  error?: string | null;
  htmlFor?: string;
  style?: CSSProperties;
}) {
  const hintId = hint && id ? `${id}-hint` : undefined;
  const errorId = error && id ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const control =
    typeof children === "function"
      ? children({
          "aria-describedby": describedBy,
          ...(error ? { "aria-invalid": true as const } : {}),
        })
      : children;
  const field = (
    <label className="field" htmlFor={htmlFor} style={style}>
      {label}
      {control}
    </label>
  );
  if (!hint && !error) return field;
  return (
    <div style={{ display: "grid", gap: "0.25rem" }}>
      {field}
      {hint ? (
        <span id={hintId} className="muted" style={{ fontSize: "0.85rem" }}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={errorId} className="badge bad" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** Checkboxes under one small legend, in a row. */
export function FieldGroup({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset className="form-row" style={{ border: 0, padding: 0, margin: 0 }}>
      <legend className="muted" style={{ fontSize: "0.85rem" }}>
        {legend}
      </legend>
      {children}
    </fieldset>
  );
}

/** What the whole form is about, on a line of its own; the form names it in aria-describedby. */
export function FormHelp({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="muted" style={{ flexBasis: "100%", margin: 0 }}>
      {children}
    </p>
  );
}

/** A select's options whose labels are their values, or given by `label`. */
export function Options<Value extends string | number>({
  values,
  label,
}: {
  values: readonly Value[];
  label?: (value: Value) => string;
}) {
  return values.map((value) => (
    <option key={value} value={value}>
      {label ? label(value) : value}
    </option>
  ));
}

/** A select's options, each with a label of its own. */
export function ChoiceOptions({
  choices,
}: {
  choices: readonly { value: string; label: string }[];
}) {
  return choices.map((c) => (
    <option key={c.value} value={c.value}>
      {c.label}
    </option>
  ));
}

/** A labelled select whose options are their own labels, or given by `optionLabel`. */
export function SelectField<Value extends string>({
  label,
  name,
  defaultValue,
  values,
  optionLabel,
  style,
}: {
  label: string;
  name: string;
  defaultValue: Value;
  values: readonly Value[];
  optionLabel?: (value: Value) => string;
  style?: CSSProperties;
}) {
  return (
    <Field label={label} style={style}>
      <select name={name} defaultValue={defaultValue}>
        <Options values={values} label={optionLabel} />
      </select>
    </Field>
  );
}
