import type { ChangeEvent } from "react";
import { Options } from "@/components/forms/field";
import {
  DISMISSAL_CODES,
  NOTE_MAX_LENGTH,
  REASON_LABELS,
  RESOLUTION_CODES,
  type DismissalCode,
  type ResolutionCode,
} from "@/lib/exceptions/vocabulary";

/*
 * Closing an exception, one at a time or in bulk, gives a reason from the list its kind of
 * closing allows, and a note when the workflow requires one.
 */

export type ClosingKind = "resolve" | "dismiss";

const CODES: Record<ClosingKind, readonly (ResolutionCode | DismissalCode)[]> = {
  resolve: RESOLUTION_CODES,
  dismiss: DISMISSAL_CODES,
};

/** A dismissal always says why in a note; a resolution does when its reason is "other". */
export function closingNoteRequired(kind: ClosingKind, code: string): boolean {
  return kind === "dismiss" || code === "other";
}

/** The reason select: nothing chosen at first, and only the reasons this kind allows. */
export function ReasonSelect({
  kind,
  value,
  onChange,
}: {
  kind: ClosingKind;
  value: string;
  onChange: (code: string) => void;
}) {
  return (
    <label className="field">
      Reason
      <select value={value} onChange={(e) => onChange(e.target.value)} required>
        <option value="" disabled>
          Choose a reason
        </option>
        <Options values={CODES[kind]} label={(c) => REASON_LABELS[c]} />
      </select>
    </label>
  );
}

/**
 * The note of a closing or a reopening, as long as the workflow accepts. In a panel it is a
 * text area that says whether it is needed; in the bulk bar's single row it is one line that
 * says so only when it is required.
 */
export function NoteField({
  value,
  onChange,
  required = false,
  oneLine = false,
}: {
  value: string;
  onChange: (note: string) => void;
  required?: boolean;
  oneLine?: boolean;
}) {
  const control = {
    value,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange(e.target.value),
    required,
    maxLength: NOTE_MAX_LENGTH,
  };
  return (
    <label className="field">
      Note{required ? " (required)" : oneLine ? "" : " (optional)"}
      {oneLine ? (
        <input {...control} style={{ minWidth: "min(16rem, 100%)" }} />
      ) : (
        <textarea {...control} />
      )}
    </label>
  );
}
