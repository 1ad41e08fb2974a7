import { createLoader, createSerializer, parseAsString } from "nuqs/server";

/*
 * The close page's URL: the entity (the same `entity` parameter as the shared filters, so the
 * choice carries between areas) and the accounting period as YYYY-MM. Both are optional: the
 * page defaults to the first entity and the previous calendar month.
 */
export const closeParsers = {
  entity: parseAsString,
  period: parseAsString,
};

export const loadCloseParams = createLoader(closeParsers);
export const serializeCloseParams = createSerializer(closeParsers);
