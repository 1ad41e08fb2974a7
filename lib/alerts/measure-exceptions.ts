import type { Db } from "@/db/client";
import { openExceptionCountsByEntity } from "@/db/queries/alerts";
import {
  amountAtRiskByEntity,
  openExceptionsOpenedSince,
  slaBreachCountsByEntity,
} from "@/db/queries/alert-conditions";
import {
  ALERTABLE_EXCEPTION_TYPES,
  EACH_ENTITY,
  EXCEPTION_SEVERITIES,
  type AlertCondition,
} from "@/lib/contract/alert-rules";
import { loadSlaPolicy } from "@/lib/exceptions/sla-settings";
import type { Measurement } from "./measurement";

/*
 * The exception conditions: open exceptions of a type at or above a count, a new exception at
 * or above a severity (one alert per incident, or per exception for one in no incident), or
 * exceptions past their SLA at or above a count. Counts are per entity for "*", else for the entity or the whole company.
 */

type ExceptionsCondition = Extract<AlertCondition, { kind: "exceptions" }>;

export async function measureExceptions(
  db: Db,
  rule: { condition: ExceptionsCondition; entity: string | null; createdAt: Date },
  now: Date,
): Promise<Measurement[]> {
  const condition = rule.condition;
  switch (condition.trigger) {
    case "open_count": {
      const counts = await openExceptionCountsByEntity(db, condition.type);
      return countsPerDimension(
        counts.map((c) => ({ entity: c.entity, count: c.open })),
        rule.entity,
        condition.atLeast,
      );
    }
    case "sla_breach": {
      const policy = await loadSlaPolicy(db);
      const types = condition.type === null ? ALERTABLE_EXCEPTION_TYPES : [condition.type];
      const counts = await slaBreachCountsByEntity(
        db,
        types.map((type) => ({ type, before: new Date(now.getTime() - policy[type].breachMs) })),
      );
      return countsPerDimension(
        counts.map((c) => ({ entity: c.entity, count: c.breached })),
        rule.entity,
        condition.atLeast,
      );
    }
    case "amount_at_risk": {
      const types = condition.type === null ? ALERTABLE_EXCEPTION_TYPES : [condition.type];
      const sums = await amountAtRiskByEntity(db, types);
      return sumsPerDimension(sums, rule.entity, condition.aboveMinor);
    }
    case "new": {
      const from = EXCEPTION_SEVERITIES.indexOf(condition.severity);
      const found = await openExceptionsOpenedSince(db, {
        since: rule.createdAt,
        severities: EXCEPTION_SEVERITIES.slice(from),
        type: condition.type,
        entity: rule.entity === EACH_ENTITY ? null : rule.entity,
      });
      // One alert per incident, not per member: a storm of one cause pages once. An exception
      // without an incident is its own cause, named by its identity, (type, problem key),
      // which never changes (its title may). An incident's id and title never change either.
      const dimensions = new Set(
        found.map((e) =>
          e.incidentId
            ? `incident: ${e.incidentTitle ?? "untitled"} (${e.incidentId})`
            : `${e.type}: ${e.problemKey}`,
        ),
      );
      return [...dimensions].map((dimension) => ({
        dimension,
        value: null,
        threshold: null,
        breaching: true,
      }));
    }
  }
}

/**
 * The dimensions of an exception condition: one per entity for "*" (rows of no entity left
 * out); else one, for the entity or the whole company, of its rows taken together.
 */
function perDimension<R extends { entity: string }, V>(
  rows: R[],
  entity: string | null,
  total: (rows: R[]) => V,
  judge: (dimension: string, value: V) => Measurement,
): Measurement[] {
  if (entity === EACH_ENTITY) {
    return rows.filter((r) => r.entity !== "").map((r) => judge(r.entity, total([r])));
  }
  const of = entity === null ? rows : rows.filter((r) => r.entity === entity);
  return [judge(entity ?? "", total(of))];
}

/**
 * Amounts per dimension, summed as BigInt; the measurement's number is exact up to 2^53 minor
 * units (90 trillion dollars).
 */
export function sumsPerDimension(
  sums: { entity: string; minor: string }[],
  entity: string | null,
  aboveMinor: number,
): Measurement[] {
  return perDimension(
    sums,
    entity,
    (of) => of.reduce((sum, s) => sum + BigInt(s.minor), 0n),
    (dimension, minor) => ({
      dimension,
      value: Number(minor),
      threshold: aboveMinor,
      breaching: minor > BigInt(aboveMinor),
    }),
  );
}

/** Open exception counts per dimension (one row per entity). */
export function countsPerDimension(
  counts: { entity: string; count: number }[],
  entity: string | null,
  atLeast: number,
): Measurement[] {
  return perDimension(
    counts,
    entity,
    (of) => of.reduce((sum, c) => sum + c.count, 0),
    (dimension, count) => ({
      dimension,
      value: count,
      threshold: atLeast,
      breaching: count >= atLeast,
    }),
  );
}
