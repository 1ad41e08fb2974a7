import Link from "next/link";
import { TYPE_LABELS } from "@/lib/exceptions/vocabulary";
import { formatMoney } from "@/lib/format";
import { NO_ENTITY, type MoneyAtStake, type StakeCell } from "@/lib/money/at-stake";

/*
 * The overview's money at stake: open exceptions' amounts at risk in the reporting currency,
 * by type (rows) and entity (columns). Each cell links to those exceptions in the queue,
 * largest first, and says how many it could not sum.
 */

function queueLink(type: string | null, entity: string | null) {
  const params = new URLSearchParams({ sort: "reporting_amount" });
  if (type) params.set("type", type);
  if (entity && entity !== NO_ENTITY) params.set("entity", entity);
  return `/exceptions?${params.toString()}`;
}

function left(cell: StakeCell): string | null {
  const parts = [
    cell.unknown ? `${cell.unknown} unknown` : null,
    cell.withoutRate ? `${cell.withoutRate} without a rate` : null,
  ].filter(Boolean);
  return parts.length ? `+ ${parts.join(", ")}` : null;
}

function Cell({
  cell,
  currency,
  href,
}: {
  cell: StakeCell | undefined;
  currency: string;
  href: string;
}) {
  if (!cell) return <span className="muted">—</span>;
  const note = left(cell);
  // A cell none of whose amounts could be converted has no sum: 0.00 would read as "nothing
  // at stake", so it says why there is no figure instead.
  const converted = cell.open - cell.withoutRate - cell.unknown;
  const figure =
    converted > 0
      ? formatMoney(cell.convertedMinor, currency)
      : cell.withoutRate > 0
        ? "missing (no rate)"
        : "unknown";
  return (
    <>
      <Link href={href} data-testid="stake-figure">
        {figure}
      </Link>
      <span className="muted" style={{ display: "block", fontSize: "0.85em" }}>
        {cell.open} open{note ? ` ${note}` : ""}
      </span>
    </>
  );
}

export async function MoneyAtStakeTable({ stake }: { stake: Promise<MoneyAtStake> }) {
  const data = await stake;
  const currency = data.reportingCurrency;
  if (data.rows.length === 0) {
    return (
      <p className="muted" data-testid="money-at-stake-empty">
        No open exceptions: nothing at stake.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="data" data-testid="money-at-stake">
        <caption className="visually-hidden">
          Amount at risk of open exceptions in {currency}, by type and entity
        </caption>
        <thead>
          <tr>
            <th scope="col">Exception type</th>
            {data.entities.map((entity) => (
              <th key={entity} scope="col" className="num">
                {entity}
              </th>
            ))}
            <th scope="col" className="num">
              All entities
            </th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((row) => (
            <tr key={row.type} data-type={row.type}>
              <th scope="row">{TYPE_LABELS[row.type]}</th>
              {data.entities.map((entity) => (
                <td key={entity} className="num nowrap">
                  <Cell
                    cell={row.cells[entity]}
                    currency={currency}
                    href={queueLink(row.type, entity)}
                  />
                </td>
              ))}
              <td className="num nowrap">
                <Cell cell={row.total} currency={currency} href={queueLink(row.type, null)} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">All types</th>
            {data.entities.map((entity) => (
              <td key={entity} className="num nowrap">
                <Cell
                  cell={data.totals[entity]}
                  currency={currency}
                  href={queueLink(null, entity)}
                />
              </td>
            ))}
            <td className="num nowrap" data-testid="money-at-stake-total">
              <Cell cell={data.total} currency={currency} href={queueLink(null, null)} />
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
