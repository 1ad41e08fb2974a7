import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { ExtraActionPanels } from "@/components/exceptions/actions";
import { CommentForm } from "@/components/exceptions/actions/comment-form";
import { WorkActions } from "@/components/exceptions/actions/work-actions";
import { SeverityBadge, SlaAge, StatusBadge } from "@/components/exceptions/badges";
import { CopyId } from "@/components/exceptions/copy-id";
import styles from "@/components/exceptions/exceptions.module.css";
import { LiveRefresh } from "@/components/exceptions/live-refresh";
import { ThreadLinks } from "@/components/thread/thread-links";
import { ExceptionTimeline } from "@/components/exceptions/timeline";
import { can } from "@/lib/auth/permissions";
import { guardPage } from "@/lib/auth/session";
import { listAssignees, loadExceptionDetail, type ExceptionDetail } from "@/lib/exceptions/detail";
import { readableDetails } from "@/lib/exceptions/facts";
import { loadIncidentOfException } from "@/lib/exceptions/incident-view";
import { slaDuration, type SlaTarget } from "@/lib/exceptions/sla";
import { loadSlaPolicy } from "@/lib/exceptions/sla-settings";
import { REASON_LABELS, TYPE_LABELS } from "@/lib/exceptions/vocabulary";
import { formatDateTime } from "@/lib/format";
import {
  amountAtRiskText,
  conversionNote,
  inverseRateNote,
  reportingAmountText,
} from "@/lib/money/describe";
import { loadInverseRate, type InverseRate } from "@/lib/money/rates";
import {
  assignAction,
  commentAction,
  dismissAction,
  reopenAction,
  resolveAction,
  startAction,
} from "../actions";
import { DateTime } from "@/components/ui/date-time";

export const metadata: Metadata = { title: "Exception" };

/** The detail view re-renders on the server this often, so telemetry and colleagues' changes appear. */
const REFRESH_MS = 20_000;

export default async function ExceptionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await guardPage("/exceptions/[id]");
  const { id } = await params;
  const db = await getDb();
  const canWork = can(user.role, "exceptions:work");
  const [detail, assignees, incident] = await Promise.all([
    loadExceptionDetail(db, id),
    canWork ? listAssignees(db) : [],
    loadIncidentOfException(db, id),
  ]);
  if (!detail) notFound();
  const { exception: x, timeline } = detail;
  const [policy, inverse] = await Promise.all([loadSlaPolicy(db), loadInverseRate(db, x)]);
  const sla = policy[x.type];
  const now = new Date();
  const viewer = { id: user.id, role: user.role, label: user.name ?? user.email };
  return (
    <>
      <div>
        <p style={{ margin: "0 0 0.5rem" }}>
          <Link href="/exceptions">← Exception queue</Link>
        </p>
        <h1 style={{ marginBottom: "0.5rem", overflowWrap: "anywhere" }}>{x.title}</h1>
        <div className="form-row" style={{ alignItems: "center" }}>
          <SeverityBadge severity={x.severity} />
          <StatusBadge status={x.status} testId="exception-status" />
          <span className="badge">{TYPE_LABELS[x.type]}</span>
          <SlaAge openedAt={x.openedAt} closedAt={x.closedAt} now={now} target={sla} />
          <LiveRefresh intervalMs={REFRESH_MS} renderedAtText={formatDateTime(now)} />
        </div>
        <ThreadLinks invoiceId={x.invoiceId} customerId={x.customerId} contractId={x.contractId} />
        {incident ? (
          <p style={{ margin: "0.5rem 0 0" }} data-testid="exception-incident">
            Part of incident <Link href={`/incidents/${incident.id}`}>{incident.title}</Link>
            {` (${incident.memberCount} exception${incident.memberCount === 1 ? "" : "s"})`}
          </p>
        ) : null}
      </div>
      <div className={styles.detailGrid}>
        {/* Actions come first in reading order (and first on a phone): they are why the page is open. */}
        <div className={`${styles.stack} ${styles.detailSide}`}>
          <section
            className="card"
            aria-labelledby="actions-heading"
            data-testid="exception-actions"
          >
            <h2 id="actions-heading">Actions</h2>
            {/* The action of this type (retry, replay, correction) before the everyday workflow. */}
            <ExtraActionPanels exception={x} viewer={viewer} />
            {canWork ? (
              <div data-action-panel="workflow" className={styles.panelDivider}>
                <WorkActions
                  exception={{ id: x.id, version: x.version, status: x.status, ownerId: x.ownerId }}
                  viewer={viewer}
                  assignees={assignees}
                  actions={{
                    assign: assignAction,
                    start: startAction,
                    resolve: resolveAction,
                    dismiss: dismissAction,
                    reopen: reopenAction,
                  }}
                />
              </div>
            ) : (
              <p className="muted" style={{ margin: 0 }}>
                Your role can read exceptions but not work on them; operations and finance can.
              </p>
            )}
          </section>
          <section className="card" aria-labelledby="facts-heading">
            <h2 id="facts-heading">Details</h2>
            <Facts exception={x} sla={sla} inverse={inverse} />
            <TechnicalDetails exception={x} />
          </section>
        </div>
        <section className={`card ${styles.detailMain}`} aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">Timeline</h2>
          <p className="muted" style={{ marginTop: 0 }}>
            The events that name this exception&apos;s invoice, posting, payment, customer, run or
            contract, what Closeline did, and what people did and said, oldest first.
          </p>
          <ExceptionTimeline timeline={timeline} />
          {canWork ? (
            <CommentForm exception={{ id: x.id, version: x.version }} comment={commentAction} />
          ) : null}
        </section>
      </div>
    </>
  );
}

const ID_FIELDS = [
  ["Invoice", "invoiceId"],
  ["Posting", "postingId"],
  ["Payment", "paymentId"],
  ["Customer", "customerId"],
  ["Reconciliation run", "runId"],
  ["Contract", "contractId"],
] as const;

function Facts({
  exception: x,
  sla,
  inverse,
}: {
  exception: ExceptionDetail;
  sla: SlaTarget;
  inverse: InverseRate | null;
}) {
  const inverseNote = inverseRateNote(x, inverse);
  return (
    <dl className={styles.facts}>
      <dt>Type</dt>
      <dd>{TYPE_LABELS[x.type]}</dd>
      <dt>Entity</dt>
      <dd>{x.entity ?? "—"}</dd>
      <dt>Amount at risk</dt>
      <dd data-testid="exception-amount">{amountAtRiskText(x)}</dd>
      <dt>In reporting currency</dt>
      <dd data-testid="exception-reporting-amount">
        {reportingAmountText(x)}
        {conversionNote(x) ? <span className="muted"> ({conversionNote(x)})</span> : null}
        {inverseNote ? (
          <span className="muted" data-testid="exception-inverse-rate">
            ; {inverseNote}
          </span>
        ) : null}
      </dd>
      <dt>Owner</dt>
      <dd data-testid="exception-owner">{x.ownerName ?? x.ownerEmail ?? "Unassigned"}</dd>
      <dt>Opened</dt>
      <dd>
        <DateTime value={x.openedAt} />
      </dd>
      <dt>SLA</dt>
      <dd>
        Warning after {slaDuration(sla.warningMs)}, breached after {slaDuration(sla.breachMs)}
      </dd>
      <dt>Last change</dt>
      <dd>
        <DateTime value={x.updatedAt} />
      </dd>
      {x.closedAt ? (
        <>
          <dt>Closed</dt>
          <dd>
            <DateTime value={x.closedAt} /> by{" "}
            {x.closedBy === "system" ? "Closeline (telemetry)" : (x.closedByEmail ?? x.closedBy)}
          </dd>
          <dt>Reason</dt>
          <dd>
            {x.resolutionCode
              ? (REASON_LABELS[x.resolutionCode as keyof typeof REASON_LABELS] ??
                x.resolutionCode.replaceAll("_", " "))
              : "—"}
            {x.resolutionNote ? <p className={styles.comment}>{x.resolutionNote}</p> : null}
          </dd>
        </>
      ) : null}
      {ID_FIELDS.filter(([, key]) => x[key]).map(([label, key]) => (
        <div key={key} style={{ display: "contents" }}>
          <dt>{label}</dt>
          <dd>
            <CopyId label={label} id={x[key]!} />
          </dd>
        </div>
      ))}
      {readableDetails(x.details, x.currency).map((fact) => (
        <div key={`detail-${fact.key}`} style={{ display: "contents" }}>
          <dt>{fact.label}</dt>
          <dd>{fact.isId ? <CopyId label={fact.label} id={fact.value} /> : fact.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** What engineers and support need and finance does not: keys, versions, raw values. */
function TechnicalDetails({ exception: x }: { exception: ExceptionDetail }) {
  return (
    <details className={styles.technical} data-testid="technical-details">
      <summary>Technical details</summary>
      <dl className={styles.facts}>
        <dt>Exception id</dt>
        <dd>
          <code>{x.id}</code>
        </dd>
        <dt>Problem key</dt>
        <dd>
          <code>{x.problemKey}</code>
        </dd>
        <dt>Version</dt>
        <dd>{x.version}</dd>
        <dt>Opened (ISO)</dt>
        <dd>
          <code>{x.openedAt.toISOString()}</code>
        </dd>
        <dt>Updated (ISO)</dt>
        <dd>
          <code>{x.updatedAt.toISOString()}</code>
        </dd>
        {x.closedAt ? (
          <>
            <dt>Closed (ISO)</dt>
            <dd>
              <code>{x.closedAt.toISOString()}</code>
            </dd>
          </>
        ) : null}
        <dt>Details as stored</dt>
        <dd>
          <pre className={styles.json}>{JSON.stringify(x.details, null, 2)}</pre>
        </dd>
      </dl>
    </details>
  );
}
