import { sql, type SQL } from "drizzle-orm";

/**
 * `later − earlier` in milliseconds as a double, the expression docs/kpis.md defines every
 * duration KPI by. The schema stores it as generated columns (so the KPI queries read the
 * value from an index instead of computing it per row, and the stored value is exactly what
 * the definition gives); queries use it for durations against a given instant.
 */
export const millisBetween = (later: SQL, earlier: SQL): SQL =>
  sql`((extract(epoch from (${later} - ${earlier})) * 1000)::double precision)`;
