import Link from "next/link";
import type { ClosePortfolio, PortfolioCell } from "@/lib/close/portfolio";
import { formatCount, formatDateTime } from "@/lib/format";
import styles from "./close.module.css";

/*
 * The close portfolio, server-rendered: a summary sentence for the newest month and the grid
 * of every entity × month. GO and NO-GO are words and symbols, not only colours, and every cell
 * is one link to its checklist.
 */

/** How many failing checks a cell names before "+N more". */
const NAMED_IN_CELL = 2;

const blockers = (count: number) => `${formatCount(count)} ${count === 1 ? "blocker" : "blockers"}`;

/** "Which entities can close this month, and what blocks the others?" in a few lines. */
export function PortfolioSummary({ portfolio }: { portfolio: ClosePortfolio }) {
  const newest = portfolio.periods[0]!;
  const cells = portfolio.rows.map((r) => r.cells[0]!);
  const ready = cells.filter((c) => c.verdict === "go");
  const blocked = cells.filter((c) => c.verdict === "no_go" && !c.noData);
  const noData = cells.filter((c) => c.noData);
  return (
    <section className="card" aria-labelledby="portfolio-summary" data-testid="portfolio-summary">
      <h2 id="portfolio-summary">{newest.label}</h2>
      <p className={styles.summaryLine}>
        {ready.length} of {cells.length} {cells.length === 1 ? "entity is" : "entities are"} ready
        to close{ready.length > 0 ? `: ${ready.map((c) => c.entity).join(", ")}` : ""}.
      </p>
      {blocked.length > 0 ? (
        <ul className={styles.summaryList}>
          {blocked.map((c) => (
            <li key={c.entity}>
              <Link href={c.href}>{c.entity}</Link>: NO-GO, {blockers(c.blockerCount)} (
              {c.failing.map((f) => `${f.short} ${formatCount(f.blockerCount)}`).join(", ")})
            </li>
          ))}
        </ul>
      ) : null}
      {noData.length > 0 ? (
        <p className="muted">
          No usage telemetry yet for {noData.map((c) => c.entity).join(", ")}: nothing to close on.
        </p>
      ) : null}
    </section>
  );
}

export function PortfolioGrid({ portfolio }: { portfolio: ClosePortfolio }) {
  return (
    // Six months of cells are wider than a phone: the grid scrolls inside its own region, which
    // takes keyboard focus so it can be scrolled without a pointer; the page itself never does.
    <div
      className={styles.portfolioWrap}
      role="region"
      aria-label="Close portfolio grid"
      tabIndex={0}
    >
      <table className={`data ${styles.portfolio}`} data-testid="close-portfolio">
        <caption className="visually-hidden">
          GO or NO-GO and blockers for each entity and accounting period, newest period first
        </caption>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            {portfolio.periods.map((p) => (
              <th scope="col" key={p.key}>
                {p.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {portfolio.rows.map((row) => (
            <tr key={row.entity}>
              <th scope="row" className={styles.portfolioEntity}>
                {row.entity}
              </th>
              {row.cells.map((cell) => (
                <td
                  key={cell.periodKey}
                  className={
                    cell.noData
                      ? styles.cellNoData
                      : cell.verdict === "go"
                        ? styles.cellGo
                        : styles.cellNoGo
                  }
                  data-testid="portfolio-cell"
                  data-entity={cell.entity}
                  data-period={cell.periodKey}
                  data-verdict={cell.verdict}
                >
                  <Cell cell={cell} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Which entity and period a cell is, for a screen reader: the grid's headers say it to the eye. */
function CellName({ cell }: { cell: PortfolioCell }) {
  return (
    <span className="visually-hidden">
      {cell.entity}, {cell.periodLabel}:{" "}
    </span>
  );
}

function Cell({ cell }: { cell: PortfolioCell }) {
  if (cell.noData) {
    return (
      <Link href={cell.href} className={styles.cellLink}>
        <CellName cell={cell} />
        <span className={styles.cellVerdict}>
          <span aria-hidden="true">– </span>No data
        </span>
        <span className={styles.cellReasons}>No usage telemetry received</span>
      </Link>
    );
  }
  const go = cell.verdict === "go";
  const named = cell.failing.slice(0, NAMED_IN_CELL);
  const more = cell.failing.length - named.length;
  return (
    <Link href={cell.href} className={styles.cellLink}>
      <CellName cell={cell} />
      <span className={styles.cellVerdict}>
        <span aria-hidden="true">{go ? "✓ " : "✕ "}</span>
        {go ? "GO" : "NO-GO"}
      </span>
      {go ? null : <span className={styles.cellCount}>{blockers(cell.blockerCount)}</span>}
      {named.length > 0 ? (
        <span className={styles.cellReasons}>
          {named.map((f) => f.short).join(", ")}
          {more > 0 ? `, +${more} more` : ""}
        </span>
      ) : null}
      {cell.closedAt ? (
        <span className={styles.cellClosed} title={`Closed ${formatDateTime(cell.closedAt)}`}>
          Closed
        </span>
      ) : null}
    </Link>
  );
}
