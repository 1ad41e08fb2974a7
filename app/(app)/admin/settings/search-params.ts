import { createLoader, parseAsString } from "nuqs/server";

/** The exchange-rate table's filters and page, kept in the URL so a view is a shareable link. */
export const loadRateTableParams = createLoader({
  fxFrom: parseAsString,
  fxInto: parseAsString,
  fxAfter: parseAsString,
});
