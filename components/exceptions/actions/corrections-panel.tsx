import { can, type Role } from "@/lib/auth/permissions";
import {
  CORRECTION_KINDS,
  type CorrectionKind,
  type CorrectionView,
} from "@/lib/corrections/corrections";
import { STAGE_LABELS, correctionStage, inFlight } from "@/lib/corrections/lifecycle";
import { formatDateTime, formatMoney } from "@/lib/format";
import { CorrectionsFeedback } from "./corrections-feedback";
import { DecideCorrectionForm, ProposeCorrectionForm } from "./corrections-forms";
import { DateTime } from "@/components/ui/date-time";

const KIND_LABEL: Record<CorrectionKind, string> = {
  credit_note: "Credit note",
  rebill: "Rebill",
  journal_adjustment: "Journal adjustment",
  write_off: "Write-off",
};

const DELIVERY_LABEL: Record<string, string> = {
  pending: "queued for the target system",
  delivering: "being delivered",
  delivered: "delivered to the target system",
  dead: "delivery failed (dead-lettered)",
};

/**
 * Corrections of one exception: the proposals with their decisions and delivery state, the
 * decide form for approvers who may decide, and the propose form for those who may propose.
 * The server enforces the same rules; this only avoids offering what would be refused.
 */
export function CorrectionsPanel({
  exception,
  corrections,
  user,
  names,
}: {
  exception: { id: string; status: string; currency: string | null; amountMinor: number | null };
  corrections: CorrectionView[];
  user: { id: string; role: Role };
  /** Display names of proposers and deciders, by user id. */
  names: Record<string, string>;
}) {
  // A new proposal only while the exception is being worked and no correction stands for it:
  // a second one in flight could move the money twice.
  const workable = exception.status === "open" || exception.status === "in_progress";
  const standing = corrections.find(inFlight);
  return (
    <section className="card" aria-labelledby="corrections-heading">
      <h2 id="corrections-heading">Corrections</h2>
      <CorrectionsFeedback>
        {corrections.length === 0 ? (
          <p className="muted">No correction has been proposed.</p>
        ) : null}
        <ul style={{ listStyle: "none", padding: 0, display: "grid", gap: "0.75rem" }}>
          {corrections.map((c) => {
            const approvals = c.decisions.filter((d) => d.decision === "approve").length;
            const mayDecide =
              c.status === "pending_approval" &&
              can(user.role, "corrections:approve") &&
              c.proposedBy !== user.id &&
              !c.decisions.some((d) => d.deciderId === user.id);
            return (
              <li key={c.id} className="card" data-testid="correction">
                <strong>
                  {KIND_LABEL[c.kind]} of {formatMoney(c.amountMinor, c.currency)}
                </strong>{" "}
                to {c.targetSystem} —{" "}
                <span
                  className={
                    c.status === "rejected"
                      ? "badge bad"
                      : c.status === "approved"
                        ? "badge ok"
                        : "badge warn"
                  }
                >
                  {c.status.replace("_", " ")}
                </span>{" "}
                {c.status === "pending_approval" ? (
                  <span className="muted">
                    {approvals} of {c.requiredApprovals} approval
                    {c.requiredApprovals > 1 ? "s" : ""}
                  </span>
                ) : null}
                <CorrectionProgress correction={c} />
                {c.commandStatus ? (
                  <div className="muted">
                    Command {DELIVERY_LABEL[c.commandStatus] ?? c.commandStatus}
                  </div>
                ) : null}
                <p style={{ margin: "0.4rem 0" }}>{c.reason}</p>
                <div className="muted">
                  Proposed by {names[c.proposedBy ?? c.proposedByKeyId ?? ""] ?? c.proposedBy} on{" "}
                  <DateTime value={c.proposedAt} />
                </div>
                {c.decisions.length > 0 ? (
                  <ul>
                    {c.decisions.map((d) => (
                      <li key={d.deciderId}>
                        {d.decision === "approve" ? "Approved" : "Rejected"} by{" "}
                        {names[d.deciderId] ?? d.deciderId} on <DateTime value={d.at} />: {d.reason}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {mayDecide ? (
                  <DecideCorrectionForm correctionId={c.id} version={c.version} />
                ) : null}
                {c.status === "pending_approval" && c.proposedBy === user.id ? (
                  <p className="muted">
                    You proposed this correction, so another finance user must approve it.
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
        {workable && !standing && can(user.role, "corrections:propose") ? (
          <ProposeCorrectionForm
            exceptionId={exception.id}
            kinds={CORRECTION_KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] }))}
            defaultCurrency={exception.currency ?? ""}
          />
        ) : standing && can(user.role, "corrections:propose") ? (
          <p className="muted" data-testid="proposal-closed">
            {correctionStage(standing) === "awaiting_approval"
              ? "Another correction can be proposed once this one is decided."
              : `Another correction can be proposed if ${standing.targetSystem} reports this one failed.`}
          </p>
        ) : null}
      </CorrectionsFeedback>
    </section>
  );
}

/** The step the correction has reached and what happens next, in one line. */
function CorrectionProgress({ correction: c }: { correction: CorrectionView }) {
  const stage = correctionStage(c);
  const next: Record<typeof stage, string> = {
    awaiting_approval:
      c.requiredApprovals > 1
        ? `Needs ${c.requiredApprovals} approvals from finance users other than the proposer.`
        : "Needs the approval of a finance user other than the proposer.",
    awaiting_confirmation: `Sent to ${c.targetSystem}; the exception resolves when ${c.targetSystem} confirms the correction is booked.`,
    confirmed: `${c.targetSystem} confirmed it on ${formatDateTime(c.execution?.executedAt)}${c.execution?.documentRef ? ` (${c.execution.documentRef})` : ""}.`,
    failed: `${c.targetSystem} reported on ${formatDateTime(c.execution?.executedAt)} that it failed${c.execution?.errorMessage ? `: ${c.execution.errorMessage}` : ""}. The exception is back with people.`,
    rejected: "Not carried out; the exception is back with people.",
  };
  return (
    <div data-testid="correction-stage" style={{ margin: "0.3rem 0" }}>
      <strong>{STAGE_LABELS[stage]}</strong> — {next[stage]}
    </div>
  );
}
