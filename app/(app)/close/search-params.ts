import { createLoader, createSerializer, parseAsString, type inferParserType } from "nuqs/server";

/*
 * The close pages' URL. Without `entity` and `period`, /close is the portfolio: every entity ×
 * six months through `through` (YYYY-MM, default the previous calendar month). With either,
 * it is that entity-month's checklist: the entity (the same `entity` parameter as the shared
 * filters, so the choice carries between areas) and the accounting period as YYYY-MM, each
 * defaulting to the first entity and the previous calendar month.
 */
export const closeParsers = {
  entity: parseAsString,
  period: parseAsString,
  through: parseAsString,
};

export type CloseParams = inferParserType<typeof closeParsers>;

export const loadCloseParams = createLoader(closeParsers);
export const serializeCloseParams = createSerializer(closeParsers);

/** The checklist of one entity-month rather than the portfolio. */
export const isChecklist = (params: CloseParams) =>
  params.entity !== null || params.period !== null;
