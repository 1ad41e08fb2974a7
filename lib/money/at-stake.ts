import type { Db } from "@/db/client";
import { moneyAtStakeByTypeAndEntity, type MoneyAtStakeRow } from "@/db/queries/fx";
import type { ExceptionType } from "@/db/schema";
import { TYPES } from "@/lib/exceptions/vocabulary";
import { loadReportingCurrency } from "./reporting";

/*
 * Money at stake on the overview: the open exceptions' amounts at risk in the reporting
 * currency by exception type and entity, with totals. A cell that could not sum every
 * exception says how many it left out (unknown amount, or no rate), so a total is never
 * mistaken for the whole.
 */

export interface StakeCell {
  open: number;
  /** Exact, as a decimal integer string in the reporting currency's minor units. */
  convertedMinor: string;
  withoutRate: number;
  unknown: number;
}

export interface MoneyAtStake {
  reportingCurrency: string;
  entities: string[];
  /** One row per type with an open exception, in the vocabulary's order. */
  rows: { type: ExceptionType; cells: Record<string, StakeCell>; total: StakeCell }[];
  /** Per entity, over every type. */
  totals: Record<string, StakeCell>;
  total: StakeCell;
}

/** The key of exceptions with no entity, in `entities` and the cells. */
export const NO_ENTITY = "(no entity)";

const empty = (): StakeCell => ({ open: 0, convertedMinor: "0", withoutRate: 0, unknown: 0 });

function add(
  cell: StakeCell,
  row: Pick<MoneyAtStakeRow, "open" | "convertedMinor" | "withoutRate" | "unknown">,
) {
  cell.open += row.open;
  cell.convertedMinor = (BigInt(cell.convertedMinor) + BigInt(row.convertedMinor)).toString();
  cell.withoutRate += row.withoutRate;
  cell.unknown += row.unknown;
}

/** Arranges the database's per type × entity sums as a table with totals. */
export function arrangeMoneyAtStake(
  rows: readonly MoneyAtStakeRow[],
  reportingCurrency: string,
): MoneyAtStake {
  const entities = [...new Set(rows.map((r) => r.entity ?? NO_ENTITY))].sort();
  const byType = new Map<ExceptionType, { cells: Record<string, StakeCell>; total: StakeCell }>();
  const totals: Record<string, StakeCell> = {};
  const total = empty();
  for (const r of rows) {
    const entity = r.entity ?? NO_ENTITY;
    const line = byType.get(r.type) ?? { cells: {}, total: empty() };
    byType.set(r.type, line);
    add((line.cells[entity] ??= empty()), r);
    add(line.total, r);
    add((totals[entity] ??= empty()), r);
    add(total, r);
  }
  return {
    reportingCurrency,
    entities,
    rows: TYPES.filter((type) => byType.has(type)).map((type) => ({ type, ...byType.get(type)! })),
    totals,
    total,
  };
}

export async function loadMoneyAtStake(
  db: Db,
  options: { entity?: string | null },
): Promise<MoneyAtStake> {
  const [rows, reportingCurrency] = await Promise.all([
    moneyAtStakeByTypeAndEntity(db, options),
    loadReportingCurrency(db),
  ]);
  return arrangeMoneyAtStake(rows, reportingCurrency);
}
