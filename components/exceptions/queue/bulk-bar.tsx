"use client";

import { useState, useTransition, type FormEvent } from "react";
import type { BulkAction, BulkRequest } from "@/lib/exceptions/bulk";
import type { Assignee } from "@/lib/exceptions/detail";
import type { QueueItem } from "@/lib/exceptions/queue";
import { CLOSED_STATUSES } from "@/lib/exceptions/vocabulary";
import type { BulkItemResult } from "@/lib/exceptions/workflow";
import { closingNoteRequired, NoteField, ReasonSelect } from "../actions/closing-reason";
import { BulkRetryButton, bulkRetryOutcome } from "../actions/retry-controls";
import { OtherAssigneeOptions } from "../assignee-options";
import styles from "../exceptions.module.css";

/*
 * The bar that acts on the selected rows: it sits directly above the table and stays in view
 * (sticky) while rows are selected. Its outcome is reported by BulkOutcome, which stays until
 * the next action or change of view.
 */

type BulkKind = BulkRequest["action"];

export interface Outcome {
  ok: boolean;
  text: string;
  failures: string[];
}

export function BulkBar({
  items,
  viewer,
  assignees,
  bulkAction,
  onDone,
  onClear,
}: {
  items: QueueItem[];
  viewer: { id: string; label: string };
  assignees: Assignee[];
  bulkAction: BulkAction;
  onDone: (outcome: Outcome) => void;
  onClear: () => void;
}) {
  const [kind, setKind] = useState<BulkKind>("assign");
  const [assignee, setAssignee] = useState(viewer.id);
  const [code, setCode] = useState("");
  const [note, setNote] = useState("");
  const [pending, startTransition] = useTransition();
  const noteRequired = kind !== "assign" && closingNoteRequired(kind, code);
  const closable = items.filter((i) => !CLOSED_STATUSES.includes(i.status));

  function submit(e: FormEvent) {
    e.preventDefault();
    const targets = items.map((i) => ({ id: i.id, version: i.version }));
    const request: BulkRequest =
      kind === "assign"
        ? { action: "assign", items: targets, assigneeId: assignee || null }
        : kind === "resolve"
          ? { action: "resolve", items: targets, code, note }
          : { action: "dismiss", items: targets, code, note };
    startTransition(async () => {
      const result = await bulkAction(request);
      if (!result.ok) {
        onDone({ ok: false, text: result.error, failures: [] });
        return;
      }
      setNote("");
      onDone(summarise(kind, result.data, items));
    });
  }

  const verb = kind === "assign" ? "Assign" : kind === "resolve" ? "Resolve" : "Dismiss";
  return (
    <div className={`${styles.bulk} ${styles.bulkSticky}`}>
      <form
        className="form-row"
        style={{ alignItems: "end" }}
        onSubmit={submit}
        aria-label="Bulk action on the selected exceptions"
        data-testid="bulk-actions"
      >
        <strong role="status">
          {items.length} selected
          {kind !== "assign" && closable.length < items.length
            ? ` (${items.length - closable.length} already closed)`
            : ""}
        </strong>
        <label className="field">
          Action
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as BulkKind);
              setCode("");
            }}
          >
            <option value="assign">Assign</option>
            <option value="resolve">Resolve</option>
            <option value="dismiss">Dismiss</option>
          </select>
        </label>
        {kind === "assign" ? (
          <label className="field">
            Assign to
            <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
              <option value={viewer.id}>Me ({viewer.label})</option>
              <OtherAssigneeOptions assignees={assignees} viewerId={viewer.id} />
              <option value="">Nobody (unassign)</option>
            </select>
          </label>
        ) : (
          <>
            <ReasonSelect kind={kind} value={code} onChange={setCode} />
            <NoteField value={note} onChange={setNote} required={noteRequired} oneLine />
          </>
        )}
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Working…" : `${verb} ${items.length}`}
        </button>
        <button type="button" onClick={onClear} disabled={pending}>
          Clear selection
        </button>
      </form>
      <BulkRetryButton
        exceptionIds={items.filter((i) => i.type === "erp_posting_failed").map((i) => i.id)}
        onDone={(results) => onDone(bulkRetryOutcome(results))}
      />
    </div>
  );
}

function summarise(kind: BulkKind, results: BulkItemResult[], items: QueueItem[]): Outcome {
  const done = results.filter((r) => r.ok).length;
  const title = (id: string) => items.find((i) => i.id === id)?.title ?? id;
  const failures = results.flatMap((r) => (r.ok ? [] : [`${title(r.id)}: ${r.error}`]));
  const past = kind === "assign" ? "Assigned" : kind === "resolve" ? "Resolved" : "Dismissed";
  const text = `${past} ${done} ${done === 1 ? "exception" : "exceptions"}.${
    failures.length ? ` ${failures.length} could not be changed:` : ""
  }`;
  return { ok: failures.length === 0, text, failures };
}

/** What the last bulk action did; focus moves here so a keyboard user hears and finds it. */
export function BulkOutcome({
  outcome,
  outcomeRef,
}: {
  outcome: Outcome;
  outcomeRef: React.Ref<HTMLDivElement>;
}) {
  return (
    <div
      ref={outcomeRef}
      tabIndex={-1}
      className={`alert ${outcome.ok ? "success" : "error"} ${styles.confirmation}`}
      role={outcome.ok ? "status" : "alert"}
      style={{ marginBottom: "0.75rem" }}
      data-testid="bulk-outcome"
    >
      {outcome.text}
      {outcome.failures.length ? (
        <ul style={{ margin: "0.25rem 0 0", paddingLeft: "1.25rem" }}>
          {outcome.failures.map((f, i) => (
            <li key={i}>{f}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
