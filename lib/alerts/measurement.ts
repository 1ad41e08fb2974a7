/**
 * What a rule's condition reads now, for one dimension. `breaching` null means there is
 * nothing to measure (a KPI with no denominator): that never fires, and never calls a firing
 * alert mended either.
 */
export interface Measurement {
  /** '' for the whole company, else an entity, a `source / type` pair, an exception or an entity-month. */
  dimension: string;
  value: number | null;
  threshold: number | null;
  breaching: boolean | null;
}
