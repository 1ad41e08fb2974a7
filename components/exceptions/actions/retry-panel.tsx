import type { RetryProgress, RetryStepState } from "@/lib/exceptions/retry";
import { loadRetryProgress, loadWaitingRejectedEvents } from "@/lib/exceptions/retry-view";
import { RejectedEventControls, RejectedGroupControls, RetryButton } from "./retry-controls";
import { DateTime } from "@/components/ui/date-time";

/*
 * The detail view's panels for retries (erp_posting_failed) and rejected events
 * (event_rejected), registered in ./index.tsx. Server components: they read the outbox and
 * the rejected events themselves and leave the buttons to ./retry-controls.tsx.
 */

const STEP_BADGE: Record<RetryStepState, string> = {
  done: "badge ok",
  waiting: "badge",
  failed: "badge bad",
};

function Step({
  label,
  state,
  at,
  detail,
}: {
  label: string;
  state: RetryStepState;
  at: Date | null;
  detail?: string | null;
}) {
  return (
    <li>
      <span className={STEP_BADGE[state]}>
        {label}
        {state === "waiting" ? " (waiting)" : state === "failed" ? " (failed)" : ""}
      </span>{" "}
      {at ? (
        <span className="muted">
          <DateTime value={at} />
        </span>
      ) : null}
      {detail ? <div className="muted">{detail}</div> : null}
    </li>
  );
}

function RetryLine({ retry }: { retry: RetryProgress }) {
  return (
    <li className="card" data-testid="retry-progress" data-command-status={retry.command.status}>
      <div className="muted">
        Retry of attempt {retry.followsAttempt ?? "?"}
        {retry.requestedBy ? ` by ${retry.requestedBy}` : ""}
      </div>
      <ol
        aria-label="Retry progress"
        style={{ margin: "0.25rem 0 0", paddingLeft: "1.25rem", display: "grid", gap: "0.25rem" }}
      >
        <Step label="Retry requested" state="done" at={retry.requested.at} />
        <Step label="Delivered" {...retry.delivered} />
        <Step label="Confirmed" {...retry.confirmed} />
      </ol>
    </li>
  );
}

export async function RetryPanel({
  exceptionId,
  status,
  canWork,
}: {
  exceptionId: string;
  status: string;
  canWork: boolean;
}) {
  const retries = await loadRetryProgress(exceptionId);
  const open = status === "open" || status === "in_progress";
  // Asking again for the same attempt would change nothing: offer the button once the last
  // retry has an outcome (confirmed or failed), or could not be delivered.
  const last = retries.at(-1);
  const inFlight =
    !!last && last.confirmed.state === "waiting" && last.delivered.state !== "failed";
  return (
    <section aria-labelledby="retry-heading">
      <h3 id="retry-heading">Retry in the ERP</h3>
      <p className="muted" style={{ marginTop: 0 }}>
        Closeline asks the ERP connector to post again; the exception closes when the connector
        reports a successful attempt.
      </p>
      {retries.length ? (
        <ul style={{ listStyle: "none", padding: 0, display: "grid", gap: "0.5rem" }}>
          {retries.map((r) => (
            <RetryLine key={r.commandId} retry={r} />
          ))}
        </ul>
      ) : null}
      {canWork && open ? <RetryButton exceptionId={exceptionId} inFlight={inFlight} /> : null}
    </section>
  );
}

export async function RejectedEventsPanel({
  exceptionId,
  canWork,
}: {
  exceptionId: string;
  canWork: boolean;
}) {
  const waiting = await loadWaitingRejectedEvents(exceptionId, 20);
  return (
    <section aria-labelledby="rejected-heading">
      <h3 id="rejected-heading">Rejected events</h3>
      {canWork ? (
        <RejectedGroupControls exceptionId={exceptionId} waiting={waiting.length} />
      ) : null}
      {waiting.length === 0 ? (
        <p className="muted">No event of this group is waiting.</p>
      ) : (
        <>
          <p className="muted" style={{ marginTop: 0 }}>
            Replay runs an event through validation again (after a contract change or a new entity);
            dismiss drops it with a reason.
          </p>
          <ul style={{ listStyle: "none", padding: 0, display: "grid", gap: "0.5rem" }}>
            {waiting.map((e) => (
              <li key={e.id} className="card" data-testid="rejected-event">
                <div>
                  <code>{e.eventId ?? `#${e.id}`}</code>{" "}
                  <span className="muted">{e.type ?? "(no type)"}</span>{" "}
                  <span className="muted">
                    <DateTime value={e.receivedAt} />
                  </span>
                </div>
                <ul className="muted" style={{ margin: "0.25rem 0" }}>
                  {e.errors.slice(0, 3).map((error, i) => (
                    <li key={i}>{error}</li>
                  ))}
                </ul>
                {canWork ? <RejectedEventControls id={e.id} /> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
