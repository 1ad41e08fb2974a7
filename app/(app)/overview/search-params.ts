import { createLoader, createSerializer, parseAsString } from "nuqs/server";
import { globalFilterParsers } from "@/lib/filters/search-params";

/*
 * The overview's URL: the shared filters (entity, range, from, to), plus on a drill-down its
 * view and page cursor. Serialised with the same parsers, so every link the overview makes
 * carries the filters and a shared or reloaded link shows the same records.
 */

export const serializeFilters = createSerializer(globalFilterParsers);

export const drilldownParsers = {
  ...globalFilterParsers,
  view: parseAsString,
  cursor: parseAsString,
};

export const loadDrilldownParams = createLoader(drilldownParsers);
export const serializeDrilldown = createSerializer(drilldownParsers);
