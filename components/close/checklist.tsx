import type { Permission } from "@/lib/auth/permissions";
import type { BlockerLink } from "@/lib/close/links";
import type { CheckResult } from "@/lib/close/checks";
import type { CloseReadiness } from "@/lib/close/readiness";
import { formatDateTime, formatMoney } from "@/lib/format";
import styles from "./close.module.css";
import { DateTime } from "@/components/ui/date-time";

/*
 * The verdict and the checklist of close readiness, server-rendered. Pass and fail are words,
 * not only colours, so the page reads the same to everyone and on a black-and-white printout.
 */

export function VerdictBanner({ report }: { report: CloseReadiness }) {
  const failing = report.checks.filter((c) => !c.passed).length;
  const go = report.verdict === "go";
  return (
    <section
      className={`${styles.verdict} ${go ? styles.go : styles.noGo}`}
      aria-labelledby="verdict-word"
      data-testid="close-verdict"
    >
      <div id="verdict-word" className={styles.verdictWord}>
        <span aria-hidden="true">{go ? "✓ " : "✕ "}</span>
        {go ? "GO" : "NO-GO"}
      </div>
      <p className={styles.verdictLine}>
        {go
          ? `${report.entity} ${report.period.label} is ready to close: all ${report.checks.length} checks pass.`
          : `${report.entity} ${report.period.label} is not ready to close: ${failing} of ${report.checks.length} checks fail.`}
      </p>
      <p className={styles.verdictMeta}>
        {report.closed
          ? `Period marked closed ${formatDateTime(report.closed.closedAt)}${report.closed.closedBy ? ` by ${report.closed.closedBy}` : ""}.`
          : "Period not marked closed."}{" "}
        Checked <DateTime value={report.generatedAt} />.
      </p>
    </section>
  );
}

function BlockerLinkCell({ link, allowed }: { link: BlockerLink; allowed: readonly Permission[] }) {
  // A reader who may not open the linked page gets the check's explanation instead.
  if (link.permission && !allowed.includes(link.permission)) return null;
  return <a href={link.href}>{link.label}</a>;
}

function hasMoney(check: CheckResult) {
  return check.blockers.some((b) => b.amountMinor !== null && b.currency !== null);
}

function CheckItem({
  check,
  allowed,
  csvHref,
}: {
  check: CheckResult;
  allowed: readonly Permission[];
  csvHref: string;
}) {
  const money = hasMoney(check);
  const withLinks = check.blockers.some(
    (b) => !b.link.permission || allowed.includes(b.link.permission),
  );
  return (
    <li
      className={`${styles.check} ${check.passed ? styles.pass : styles.fail}`}
      data-testid={`check-${check.key}`}
      data-passed={check.passed}
    >
      <div className={styles.checkHead}>
        <span className={`badge ${check.passed ? "ok" : "bad"} ${styles.status}`}>
          {check.passed ? "Pass" : "Fail"}
        </span>
        <h3 className={styles.checkTitle}>{check.title}</h3>
        <a
          className="no-print"
          href={check.link.href}
          aria-label={`How “${check.title}” is decided`}
        >
          How this is decided
        </a>
        {!check.passed && check.queue?.permission && allowed.includes(check.queue.permission) ? (
          <a className="no-print" href={check.queue.href}>
            {check.queue.label}
          </a>
        ) : null}
      </div>
      <p className={styles.explanation}>{check.explanation}</p>
      {check.blockers.length > 0 ? (
        <div className={`table-wrap ${styles.blockers}`}>
          <table className="data">
            <caption>Blockers ({check.blockerCount.toLocaleString("en-US")})</caption>
            <thead>
              <tr>
                <th scope="col">Blocker</th>
                <th scope="col">Why it blocks</th>
                {money ? (
                  <th scope="col" className="num">
                    Amount
                  </th>
                ) : null}
                {withLinks ? (
                  <th scope="col" className="no-print">
                    <span className="visually-hidden">Link</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {check.blockers.map((b) => (
                <tr key={`${b.kind}:${b.ref}`} data-testid="blocker">
                  <td>{b.label}</td>
                  <td>{b.detail}</td>
                  {money ? (
                    <td className="num nowrap">
                      {b.amountMinor !== null && b.currency
                        ? formatMoney(b.amountMinor, b.currency)
                        : "—"}
                    </td>
                  ) : null}
                  {withLinks ? (
                    <td className="no-print nowrap">
                      <BlockerLinkCell link={b.link} allowed={allowed} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          {check.blockerCount > check.blockers.length ? (
            <p className={`muted ${styles.more}`}>
              The first {check.blockers.length.toLocaleString("en-US")} of{" "}
              {check.blockerCount.toLocaleString("en-US")} are listed.{" "}
              <a className="no-print" href={csvHref}>
                Download the CSV for all of them.
              </a>
            </p>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

export function Checklist({
  report,
  allowed,
  csvHref,
}: {
  report: CloseReadiness;
  allowed: readonly Permission[];
  csvHref: string;
}) {
  return (
    <ol className="card-list" aria-label="Checklist">
      {report.checks.map((check) => (
        <CheckItem key={check.key} check={check} allowed={allowed} csvHref={csvHref} />
      ))}
    </ol>
  );
}

/** What each check measures and who clears it: the target of every "How this is decided" link. */
export function CheckDefinitions({ completenessTarget }: { completenessTarget: number }) {
  const target = `${(completenessTarget * 100).toFixed(1)}%`;
  const items: [string, string, string][] = [
    [
      "usage_complete",
      "Usage complete for the period",
      `Σ received ÷ Σ expected over the current usage checkpoints whose window ends in the period (a window ending at midnight on the 1st belongs to the month before) must be at least ${target}. A period with no checkpoints fails: missing data is not complete data. The sources and meters below the target, and the windows with the most missing events, are named; the usage source must resend or the producer must explain the gap.`,
    ],
    [
      "invoices_posted",
      "Every issued invoice posted to the ERP",
      "Each invoice issued in the period needs at least one successful ERP posting attempt. Blockers show the latest failed attempt and its error, or that the invoice was never sent. Operations retries failed postings from the exception queue.",
    ],
    [
      "no_material_reconciliation_breaks",
      "No reconciliation break above materiality",
      "For the latest result of each run and key whose reconciliation period ends in this period, |actual − expected| must not exceed both the result's tolerance and the entity's materiality in that currency. Materiality is set per entity and currency below; a currency without its own follows the threshold in the reporting currency, converted at the rate in effect on the period's last day; without either (or without that rate) it is 0. Finance clears a break with a correction the target system confirmed booking, or a later matching result.",
    ],
    [
      "no_material_open_disputes",
      "No open dispute above materiality",
      "Disputes on the entity's invoices issued in the period or billing it, still open in the exception queue (or, before the queue has seen them, disputed in telemetry), with a disputed amount above materiality in the invoice's currency (or in the reporting currency, at the rate in effect on the day the invoice was issued). A dispute without an amount disputes the whole invoice.",
    ],
    [
      "no_pending_approvals",
      "No pending approvals",
      "Correction proposals and exceptions of the entity that are waiting for a finance approver. An approver decides them in the exception queue.",
    ],
    [
      "no_unresolved_retroactive_amendments",
      "No unresolved retroactive amendment into the period",
      "Contract amendments that take effect inside the period but were made after it ended change revenue already reported. Each must be resolved or dismissed in the exception queue before the period closes.",
    ],
  ];
  return (
    <dl className={styles.definitions}>
      {items.map(([key, term, definition]) => (
        <div key={key}>
          <dt id={`check-${key}`} tabIndex={-1}>
            {term}
          </dt>
          <dd>{definition}</dd>
        </div>
      ))}
    </dl>
  );
}
