import { EACH_ENTITY, type AlertCondition } from "@/lib/contract/alert-rules";
import { checklistHref } from "@/lib/close/links";

/*
 * The page an alert is about, filtered to its dimension: where the person who receives the
 * notice goes to look (the alert itself is on /alerts). Paths only; the caller adds the
 * install's public address.
 */

const withQuery = (path: string, params: Record<string, string | null>) => {
  const query = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== null),
  ).toString();
  return query ? `${path}?${query}` : path;
};

/**
 * The filtered view of one alert: the overview for an entity's figure, the exception queue
 * for its type and entity, the close checklist of the entity-month, ingestion health for a
 * silent source.
 */
export function filteredViewPath(
  condition: AlertCondition,
  ruleEntity: string | null,
  dimension: string,
): string {
  const entity = dimension === "" ? null : dimension;
  switch (condition.kind) {
    case "kpi":
    case "kpi_change":
      return withQuery("/overview", { entity });
    case "silence":
      return "/ingestion#health";
    case "close": {
      // The dimension is "<entity> <YYYY-MM>": the entity may hold spaces, the period not.
      const split = dimension.lastIndexOf(" ");
      return checklistHref(dimension.slice(0, split), dimension.slice(split + 1));
    }
    case "exceptions": {
      const type =
        condition.trigger === "new" ? dimension.slice(0, dimension.indexOf(":")) : condition.type;
      const onEntity =
        condition.trigger === "new" ? (ruleEntity === EACH_ENTITY ? null : ruleEntity) : entity;
      // An amount rule opens the queue largest amount at risk first.
      const sort = condition.trigger === "amount_at_risk" ? "reporting_amount" : null;
      return withQuery("/exceptions", { type, entity: onEntity, sort });
    }
  }
}
