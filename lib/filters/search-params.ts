import { createLoader, parseAsIsoDateTime, parseAsString, parseAsStringLiteral } from "nuqs/server";
import { RANGE_CHOICES } from "./time-range";

/**
 * The filters shared by every view, held in the URL so any view is a shareable link. The
 * same parsers read them on the server (loadGlobalFilters) and in the browser (useQueryStates).
 */
export const globalFilterParsers = {
  entity: parseAsString,
  range: parseAsStringLiteral(RANGE_CHOICES),
  from: parseAsIsoDateTime,
  to: parseAsIsoDateTime,
};

export const loadGlobalFilters = createLoader(globalFilterParsers);
