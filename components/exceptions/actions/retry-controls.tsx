"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import {
  bulkRetryAction,
  dismissRejectedEventAction,
  dismissRejectedGroupAction,
  replayRejectedEventAction,
  replayRejectedGroupAction,
  retryExceptionAction,
  retryIncidentAction,
} from "@/lib/exceptions/retry-actions";
import type { ReplayResult } from "@/lib/exceptions/rejected-events";
import type { BulkRetryResult } from "@/lib/exceptions/retry";
import type { ActionResult } from "@/lib/http/action-result";
import { PendingButton } from "@/components/ui/pending-button";
import styles from "../exceptions.module.css";
import { ActionConfirmation, useConfirmation } from "./action-confirmation";

/*
 * The buttons of retries and rejected events. Each calls its server action (which checks the
 * role again), shows what happened in words, and refreshes the page so the new state shows.
 */

/** Runs a server action; on success the page re-renders with the new state, on failure `error` says why. */
function useRetryAction() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = <T,>(action: () => Promise<ActionResult<T>>, onSuccess?: (data: T) => void) => {
    setError(null);
    startTransition(async () => {
      const result = await action();
      if (!result.ok) return setError(result.error);
      // What it says and the refreshed page commit together (as in useWorkAction).
      startTransition(() => {
        onSuccess?.(result.data);
        router.refresh();
      });
    });
  };
  return { run, pending, error };
}

function ActionError({ error }: { error: string | null }) {
  return error ? (
    <p className="alert error" role="alert" style={{ flexBasis: "100%", margin: 0 }}>
      {error}
    </p>
  ) : null;
}

/**
 * Asks the ERP connector to post again (one failed posting). While a retry is on its way the
 * button gives way to a note, but the confirmation of the request stays (and takes focus).
 */
export function RetryButton({ exceptionId, inFlight }: { exceptionId: string; inFlight: boolean }) {
  const { run, pending, error } = useRetryAction();
  const { confirmation, confirm } = useConfirmation();
  return (
    <div className={styles.stack}>
      <ActionConfirmation confirmation={confirmation} />
      {inFlight ? (
        <p className="muted" style={{ margin: 0 }}>
          A retry is on its way; the connector&apos;s next attempt will confirm or refute it.
        </p>
      ) : (
        <div>
          <PendingButton
            className="primary"
            pending={pending}
            pendingLabel="Requesting…"
            onClick={() =>
              run(
                () => retryExceptionAction({ exceptionId }),
                (result) =>
                  confirm(
                    result.outcome === "requested"
                      ? "Retry requested: the ERP connector is being asked to post again."
                      : "A retry of this attempt was already requested; it is on its way.",
                  ),
              )
            }
          >
            Retry posting
          </PendingButton>
        </div>
      )}
      <ActionError error={error} />
    </div>
  );
}

function summariseBulk(results: BulkRetryResult[]): string {
  const requested = results.filter((r) => r.outcome === "requested").length;
  const already = results.filter((r) => r.outcome === "already_requested").length;
  const failed = results.filter((r) => r.outcome === "failed");
  const parts = [`${requested} retr${requested === 1 ? "y" : "ies"} requested`];
  if (already) parts.push(`${already} already requested`);
  if (failed.length) parts.push(`${failed.length} not retried`);
  return parts.join(", ");
}

/** A bulk retry's results as the queue reports a bulk action: a summary and the refusals. */
export function bulkRetryOutcome(results: BulkRetryResult[]): {
  ok: boolean;
  text: string;
  failures: string[];
} {
  const failures = results.flatMap((r) => (r.outcome === "failed" ? [r.error] : []));
  return { ok: failures.length === 0, text: summariseBulk(results), failures };
}

/**
 * Retries every selected failed posting, for the queue's bulk bar; renders nothing when none
 * is selected. Each exception gets its own result, handed to `onDone` (see bulkRetryOutcome)
 * so the queue can report it and drop its cached pages.
 */
export function BulkRetryButton({
  exceptionIds,
  onDone,
}: {
  exceptionIds: string[];
  onDone: (results: BulkRetryResult[]) => void;
}) {
  const { run, pending, error } = useRetryAction();
  if (exceptionIds.length === 0) return null;
  const n = exceptionIds.length;
  return (
    <div className="form-row" style={{ alignItems: "center" }}>
      <PendingButton
        pending={pending}
        pendingLabel="Requesting retries…"
        testId="bulk-retry"
        onClick={() => run(() => bulkRetryAction({ exceptionIds }), onDone)}
      >
        {`Retry ${n} failed posting${n === 1 ? "" : "s"}`}
      </PendingButton>
      <ActionError error={error} />
    </div>
  );
}

/**
 * Retries every member of an incident that can be retried (its open failed postings), after
 * a confirmation saying how many; then says what happened, with each refusal's reason.
 */
export function IncidentRetryButton({
  incidentId,
  retryableCount,
}: {
  incidentId: string;
  retryableCount: number;
}) {
  const { run, pending, error } = useRetryAction();
  const { confirmation, confirm } = useConfirmation();
  const [asking, setAsking] = useState(false);
  const [failures, setFailures] = useState<string[]>([]);
  const n = retryableCount;
  return (
    <div className={styles.stack}>
      <ActionConfirmation confirmation={confirmation} />
      {failures.length > 0 ? (
        <ul className="alert error" role="alert" style={{ margin: 0 }}>
          {failures.map((failure, i) => (
            <li key={i}>{failure}</li>
          ))}
        </ul>
      ) : null}
      {n === 0 ? (
        <p className="muted" style={{ margin: 0 }}>
          No member can be retried now: only open failed ERP postings can.
        </p>
      ) : asking ? (
        <div className="form-row" style={{ alignItems: "center" }}>
          <span>
            {`Ask the ERP connector to post ${n} failed posting${n === 1 ? "" : "s"} again?`}
          </span>
          <PendingButton
            className="primary"
            pending={pending}
            pendingLabel="Requesting retries…"
            testId="incident-retry-confirm"
            onClick={() =>
              run(
                () => retryIncidentAction({ incidentId }),
                (results) => {
                  const outcome = bulkRetryOutcome(results);
                  setAsking(false);
                  setFailures(outcome.failures);
                  confirm(`${outcome.text}.`);
                },
              )
            }
          >
            Retry them
          </PendingButton>
          <button type="button" disabled={pending} onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <div>
          <button
            type="button"
            className="primary"
            data-testid="incident-retry"
            onClick={() => {
              confirm(null);
              setFailures([]);
              setAsking(true);
            }}
          >
            {`Retry all retryable (${n})`}
          </button>
        </div>
      )}
      <ActionError error={error} />
    </div>
  );
}

function describeReplay(result: ReplayResult): string {
  switch (result.outcome) {
    case "accepted":
      return "Replayed: the event passed validation and was stored.";
    case "duplicate":
      return "Replayed: the event had arrived meanwhile; nothing was stored twice.";
    case "still_invalid":
      return `Still rejected: ${result.errors.join("; ")}`;
    case "failed":
      return result.error;
  }
}

/** A reason field that appears when dismissing; the reason is kept with the event and in the audit log. */
function DismissForm({
  label,
  pending,
  onDismiss,
}: {
  label: string;
  pending: boolean;
  onDismiss: (reason: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  if (!open) {
    return (
      <button type="button" disabled={pending} onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  }
  return (
    <form
      className="form-row"
      onSubmit={(e) => {
        e.preventDefault();
        onDismiss(reason);
      }}
    >
      <label className="field">
        Reason
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          maxLength={500}
          placeholder="e.g. test traffic from a sandbox"
        />
      </label>
      <button type="submit" className="danger" disabled={pending || !reason.trim()}>
        {pending ? "Dismissing…" : "Dismiss"}
      </button>
      <button type="button" onClick={() => setOpen(false)} disabled={pending}>
        Cancel
      </button>
    </form>
  );
}

/** Replay or dismiss one rejected event. */
export function RejectedEventControls({ id }: { id: number }) {
  const { run, pending, error } = useRetryAction();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="form-row" style={{ alignItems: "center" }}>
      <PendingButton
        pending={pending}
        onClick={() =>
          run(
            () => replayRejectedEventAction({ id }),
            (r) => setMessage(describeReplay(r)),
          )
        }
      >
        Replay
      </PendingButton>
      <DismissForm
        label="Dismiss…"
        pending={pending}
        onDismiss={(reason) =>
          run(
            () => dismissRejectedEventAction({ id, reason }),
            () => setMessage("Dismissed."),
          )
        }
      />
      {message ? (
        <span role="status" className="muted">
          {message}
        </span>
      ) : null}
      <ActionError error={error} />
    </div>
  );
}

/**
 * Replay or dismiss every waiting event of an event_rejected exception. It stays on the page
 * when nothing is left waiting, so the outcome of the last replay stays readable.
 */
export function RejectedGroupControls({
  exceptionId,
  waiting,
}: {
  exceptionId: string;
  waiting: number;
}) {
  const { run, pending, error } = useRetryAction();
  const { confirmation, confirm } = useConfirmation();
  return (
    <div className={styles.stack}>
      <ActionConfirmation confirmation={confirmation} />
      {waiting > 0 ? (
        <div className="form-row" style={{ alignItems: "center" }}>
          <PendingButton
            className="primary"
            pending={pending}
            pendingLabel="Working…"
            onClick={() =>
              run(
                () => replayRejectedGroupAction({ exceptionId }),
                (results) => {
                  const stored = results.filter(
                    (r) => r.outcome === "accepted" || r.outcome === "duplicate",
                  ).length;
                  confirm(
                    `${stored} of ${results.length} replayed; ${results.length - stored} still rejected.`,
                  );
                },
              )
            }
          >
            Replay all
          </PendingButton>
          <DismissForm
            label="Dismiss all…"
            pending={pending}
            onDismiss={(reason) =>
              run(
                () => dismissRejectedGroupAction({ exceptionId, reason }),
                (r) => confirm(`${r.dismissed} dismissed.`),
              )
            }
          />
        </div>
      ) : null}
      <ActionError error={error} />
    </div>
  );
}
