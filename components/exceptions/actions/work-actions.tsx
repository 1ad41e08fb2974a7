"use client";

import { useState, type FormEvent } from "react";
import type { Assignee } from "@/lib/exceptions/detail";
import { CLOSED_STATUSES, type ExceptionStatus } from "@/lib/exceptions/vocabulary";
import type { WorkResult } from "@/lib/exceptions/workflow";
import type { ActionResult } from "@/lib/http/action-result";
import styles from "../exceptions.module.css";
import { ActionConfirmation } from "./action-confirmation";
import { ActionError } from "./action-error";
import { closingNoteRequired, NoteField, ReasonSelect, type ClosingKind } from "./closing-reason";
import { useWorkAction } from "./use-work-action";

/*
 * The everyday actions of the detail view, for roles that may work exceptions: take it or
 * hand it on, start, resolve or dismiss with a reason, reopen. Every form sends the version
 * this page was rendered with, so acting on a stale view is refused, not applied.
 */

type Target = { id: string; version: number };
type Act<I> = (input: I) => Promise<ActionResult<WorkResult>>;

export interface WorkActionHandlers {
  assign: Act<Target & { assigneeId: string | null }>;
  start: Act<Target>;
  resolve: Act<Target & { code: string; note?: string }>;
  dismiss: Act<Target & { code: string; note: string }>;
  reopen: Act<Target & { note?: string }>;
}

export function WorkActions({
  exception,
  viewer,
  assignees,
  actions,
}: {
  exception: { id: string; version: number; status: ExceptionStatus; ownerId: string | null };
  viewer: { id: string; label: string };
  assignees: Assignee[];
  actions: WorkActionHandlers;
}) {
  const { run, pending, error, confirmation, reload } = useWorkAction();
  const target = { id: exception.id, version: exception.version };
  const closed = CLOSED_STATUSES.includes(exception.status);

  if (closed) {
    return (
      <div className={styles.stack}>
        <ActionConfirmation confirmation={confirmation} />
        <ReopenForm
          onSubmit={(note) => run(() => actions.reopen({ ...target, note }), "Reopened.")}
          pending={pending}
        />
        <ActionError error={error} onReload={reload} />
      </div>
    );
  }
  return (
    <div className={styles.stack}>
      <ActionConfirmation confirmation={confirmation} />
      <div className={styles.actionForm}>
        <h3>Owner</h3>
        <AssignForm
          ownerId={exception.ownerId}
          viewer={viewer}
          assignees={assignees}
          pending={pending}
          onAssign={(assigneeId) =>
            run(
              () => actions.assign({ ...target, assigneeId }),
              assigneeId === null
                ? "Unassigned: nobody owns it now."
                : assigneeId === viewer.id
                  ? "Assigned to you."
                  : `Assigned to ${assignees.find((a) => a.id === assigneeId)?.label ?? "the chosen person"}.`,
            )
          }
        />
      </div>
      {exception.status === "open" ? (
        <div className={styles.actionForm}>
          <h3>Work</h3>
          <p className="muted" style={{ margin: 0 }}>
            Marks it in progress{exception.ownerId ? "" : " and assigns it to you"}.
          </p>
          <div>
            <button
              type="button"
              onClick={() => run(() => actions.start(target), "Work started: it is in progress.")}
              disabled={pending}
            >
              Start work
            </button>
          </div>
        </div>
      ) : null}
      {exception.status === "awaiting_approval" ? (
        <p className="muted">
          A correction awaits approval: it is resolved through the correction, not here.
        </p>
      ) : (
        <>
          <ReasonForm
            kind="resolve"
            pending={pending}
            onSubmit={(code, note) =>
              run(() => actions.resolve({ ...target, code, note }), "Resolved.")
            }
          />
          <ReasonForm
            kind="dismiss"
            pending={pending}
            onSubmit={(code, note) =>
              run(() => actions.dismiss({ ...target, code, note }), "Dismissed.")
            }
          />
        </>
      )}
      <ActionError error={error} onReload={reload} />
    </div>
  );
}

function AssignForm({
  ownerId,
  viewer,
  assignees,
  pending,
  onAssign,
}: {
  ownerId: string | null;
  viewer: { id: string; label: string };
  assignees: Assignee[];
  pending: boolean;
  onAssign: (assigneeId: string | null) => void;
}) {
  const [choice, setChoice] = useState(ownerId ?? "");
  return (
    <div className={styles.inline}>
      {ownerId !== viewer.id ? (
        <button type="button" onClick={() => onAssign(viewer.id)} disabled={pending}>
          Assign to me
        </button>
      ) : null}
      <label className="field">
        Assign to
        <select value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="">Nobody</option>
          {assignees.map((a) => (
            <option key={a.id} value={a.id}>
              {a.id === viewer.id ? `Me (${viewer.label})` : a.label}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        onClick={() => onAssign(choice || null)}
        disabled={pending || choice === (ownerId ?? "")}
      >
        Assign
      </button>
    </div>
  );
}

function ReasonForm({
  kind,
  pending,
  onSubmit,
}: {
  kind: ClosingKind;
  pending: boolean;
  onSubmit: (code: string, note: string) => void;
}) {
  const [code, setCode] = useState("");
  const [note, setNote] = useState("");
  const noteRequired = closingNoteRequired(kind, code);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(code, note);
  };
  const id = `${kind}-form`;
  return (
    <form className={styles.actionForm} onSubmit={submit} aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{kind === "resolve" ? "Resolve" : "Dismiss"}</h3>
      <p className="muted" style={{ margin: 0 }}>
        {kind === "resolve"
          ? "The problem was dealt with."
          : "The exception needs no action; say why."}
      </p>
      <ReasonSelect kind={kind} value={code} onChange={setCode} />
      <NoteField value={note} onChange={setNote} required={noteRequired} />
      <div>
        <button
          type="submit"
          className={kind === "resolve" ? "primary" : "danger"}
          disabled={pending}
        >
          {kind === "resolve" ? "Resolve" : "Dismiss"}
        </button>
      </div>
    </form>
  );
}

function ReopenForm({ pending, onSubmit }: { pending: boolean; onSubmit: (note: string) => void }) {
  const [note, setNote] = useState("");
  return (
    <form
      className={styles.actionForm}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(note);
      }}
      aria-labelledby="reopen-heading"
    >
      <h3 id="reopen-heading">Reopen</h3>
      <p className="muted" style={{ margin: 0 }}>
        The problem is back or was closed by mistake. It keeps its owner.
      </p>
      <NoteField value={note} onChange={setNote} />
      <div>
        <button type="submit" disabled={pending}>
          Reopen
        </button>
      </div>
    </form>
  );
}
