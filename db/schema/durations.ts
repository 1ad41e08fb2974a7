import { sql, type SQL } from "drizzle-orm";

/**
 * `later − earlier` in milliseconds as a double, the expression docs/kpis.md defines every
 * duration KPI by. Stored as generated columns so the KPI queries read the value from an
 * index instead of computing it per row (numeric `extract` is a measurable share of a
 * month's query), and so the stored value is exactly what the definition gives.
 */
export const millisBetween = (later: string, earlier: string): SQL =>
  sql.raw(`((extract(epoch from (${later} - ${earlier})) * 1000)::double precision)`);
