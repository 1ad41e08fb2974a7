import { REASON_LABELS } from "@/lib/exceptions/vocabulary";
import type { Timeline, TimelineItem } from "@/lib/exceptions/detail";
import { formatDateTime, formatMoney, formatPercent } from "@/lib/format";
import styles from "./exceptions.module.css";
import { DateTime } from "@/components/ui/date-time";

/*
 * An exception's story, oldest first: the telemetry behind it, what Closeline did (raised,
 * closed, reopened) and what people did and said. Each entry says who or what in words; an
 * event's full data is one click away.
 */

type Data = Record<string, unknown>;
const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");
const money = (d: Data, amountKey: string) =>
  typeof d[amountKey] === "number" && typeof d.currency === "string"
    ? formatMoney(d[amountKey] as number, d.currency)
    : "";

/** What each event type is called on the page (its key stays in the event's data). */
const EVENT_LABELS: Record<string, string> = {
  "erp.posting.attempted": "ERP posting attempt",
  "invoice.issued": "Invoice issued",
  "invoice.disputed": "Invoice disputed",
  "payment.received": "Payment received",
  "entitlement.updated": "Entitlement updated",
  "reconciliation.result": "Reconciliation result",
  "contract.amended": "Contract amended",
  "usage.checkpoint": "Usage checkpoint",
};

/** One line about an event, from the fields that matter for its type. */
export function describeEvent(type: string, d: Data): string {
  switch (type) {
    case "erp.posting.attempted":
      return `Posting ${text(d.postingId)} attempt ${text(d.attempt)} ${text(d.status)}${
        d.errorCode ? `: ${text(d.errorCode)}` : ""
      }${d.errorMessage ? ` — ${text(d.errorMessage)}` : ""}`;
    case "invoice.issued":
      return `Invoice ${text(d.invoiceId)} issued to ${text(d.customerId)} for ${money(d, "amountMinor")}`;
    case "invoice.disputed":
      return `Invoice ${text(d.invoiceId)} disputed: ${text(d.reason)}`;
    case "payment.received":
      return `Payment ${text(d.paymentId)} of ${money(d, "amountMinor")} received from ${text(d.customerId)}`;
    case "entitlement.updated":
      return `Entitlement of ${text(d.customerId)} set to ${text(d.status)}${
        d.paymentId ? ` for payment ${text(d.paymentId)}` : " (no payment cited)"
      }`;
    case "reconciliation.result":
      return `${text(d.kind).replaceAll("_", " ")} ${text(d.key)}: expected ${money(d, "expectedMinor")}, actual ${money(
        d,
        "actualMinor",
      )}, tolerance ${money(d, "toleranceMinor") || "0"}`;
    case "contract.amended":
      return `Contract ${text(d.contractId)} amended, effective ${formatDateTime(text(d.effectiveFrom))}, impact ${money(
        d,
        "amountImpactMinor",
      )}`;
    case "usage.checkpoint": {
      const expected = Number(d.expectedCount);
      const received = Number(d.receivedCount);
      return `${text(d.meter)}: ${text(d.receivedCount)} of ${text(d.expectedCount)} usage records received${
        expected > 0 ? ` (${formatPercent(received / expected, 2)})` : ""
      }`;
    }
    default:
      return type;
  }
}

const who = (item: { actorType: string; actorLabel: string | null; actorId: string | null }) =>
  item.actorType === "system" ? "Closeline" : (item.actorLabel ?? item.actorId ?? item.actorType);

const reason = (code: unknown) =>
  typeof code === "string"
    ? (REASON_LABELS[code as keyof typeof REASON_LABELS] ?? code.replaceAll("_", " "))
    : "";

/** One line about an audit entry: who did what. */
export function describeAudit(item: Extract<TimelineItem, { kind: "audit" }>): {
  line: string;
  note: string | null;
} {
  const after = (item.after ?? {}) as Data;
  const actor = who(item);
  const note =
    typeof after.resolutionNote === "string"
      ? after.resolutionNote
      : typeof after.note === "string"
        ? after.note
        : null;
  switch (item.action) {
    case "exception.raised":
      return { line: "Raised from telemetry by Closeline", note: null };
    case "exception.closed":
      return {
        line: `Closed by Closeline: ${text(after.reason) || "the telemetry confirmed the fix"}`,
        note: null,
      };
    case "exception.reopened":
      return {
        line:
          item.actorType === "system"
            ? "Reopened by Closeline: the problem came back"
            : `Reopened by ${actor}`,
        note,
      };
    case "exception.assigned":
      return { line: `Assigned to ${text(after.ownerEmail) || "someone"} by ${actor}`, note: null };
    case "exception.unassigned":
      return { line: `Unassigned by ${actor}`, note: null };
    case "exception.started":
      return { line: `Work started by ${actor}`, note: null };
    case "exception.resolved":
      return { line: `Resolved by ${actor}: ${reason(after.resolutionCode)}`, note };
    case "exception.dismissed":
      return { line: `Dismissed by ${actor}: ${reason(after.resolutionCode)}`, note };
    default:
      return {
        line: `${item.action.replace(/^exception\./, "").replaceAll("_", " ")} by ${actor}`,
        note: null,
      };
  }
}

function Entry({ item }: { item: TimelineItem }) {
  switch (item.kind) {
    case "event":
      return (
        <>
          <span className={styles.kind}>Event · {EVENT_LABELS[item.type] ?? item.type}</span>
          <div>{describeEvent(item.type, item.data)}</div>
          <details>
            <summary className="muted">
              Event data ({item.type} from {item.source}, id {item.eventId}, received{" "}
              <DateTime value={item.receivedAt} />)
            </summary>
            <pre className={styles.json}>{JSON.stringify(item.data, null, 2)}</pre>
          </details>
        </>
      );
    case "rejected":
      return (
        <>
          <span className={styles.kind}>Rejected item</span>
          <div>
            {item.type ?? "(no type)"} {item.eventId ? `id ${item.eventId}` : ""} from{" "}
            {item.source ?? "an unknown source"}
          </div>
          <ul className="muted" style={{ margin: 0, paddingLeft: "1rem" }}>
            {item.errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </>
      );
    case "audit": {
      const { line, note } = describeAudit(item);
      return (
        <>
          <span className={styles.kind}>
            {item.actorType === "system" ? "Closeline" : "Action"}
          </span>
          <div>{line}</div>
          {note ? <p className={styles.comment}>{note}</p> : null}
        </>
      );
    }
    case "comment":
      return (
        <>
          <span className={styles.kind}>Comment</span>
          <div>{item.authorName ?? item.authorEmail}</div>
          <p className={styles.comment}>{item.body}</p>
        </>
      );
  }
}

export function ExceptionTimeline({ timeline }: { timeline: Timeline }) {
  if (timeline.items.length === 0) {
    return <p className="muted">Nothing has happened to this exception yet.</p>;
  }
  return (
    <>
      {timeline.truncated ? (
        <p className="muted">
          Only the latest 200 related events are shown; the audit entries and comments are all here.
        </p>
      ) : null}
      <ol className={styles.timeline} data-testid="exception-timeline">
        {timeline.items.map((item) => (
          <li
            key={`${item.kind}-${item.kind === "event" ? item.seq : item.id}`}
            data-kind={item.kind}
          >
            <time className={styles.when} dateTime={item.at.toISOString()}>
              <DateTime value={item.at} />
            </time>
            <div>
              <Entry item={item} />
            </div>
          </li>
        ))}
      </ol>
    </>
  );
}
