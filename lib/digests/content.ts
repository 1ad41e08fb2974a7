import type { Db } from "@/db/client";
import { listExceptions } from "@/db/queries/exceptions";
import type { Role } from "@/db/schema";
import { listAlerts } from "@/lib/alerts/list";
import { can } from "@/lib/auth/permissions";
import { computeClosePortfolio } from "@/lib/close/portfolio";
import { previousPeriod } from "@/lib/close/period";
import { configuredCompletenessTarget } from "@/lib/close/readiness";
import type { DigestPayload } from "@/lib/contract/digests";
import { loadEntities } from "@/lib/entities";
import { formatMoney } from "@/lib/format";
import { loadOverview } from "@/lib/kpi/overview";
import type { Occurrence } from "./schedule";

/*
 * What a digest says, computed when it is sent: close readiness per entity for the period
 * being closed, the headline KPIs over the digest's window against their targets with the
 * change against the window before, the alerts firing, and the five largest open exceptions.
 * Each section follows its owner's read permissions: one they may not read is left out
 * (null), not emptied, so the message can say so instead of implying there is nothing.
 */

const DAY_MS = 86_400_000;
/** The exceptions a digest lists: the largest few, not a queue to work from. */
export const LARGEST_EXCEPTIONS = 5;
/** Firing alerts listed; a digest past this many says where the rest are. */
const MAX_ALERTS = 50;

export interface DigestSubject {
  id: string;
  cadence: "daily" | "weekly";
  entity: string | null;
  ownerRole: Role;
}

export interface DigestContext {
  now: Date;
  /** Where links point: CLOSELINE_PUBLIC_URL or the local server. */
  baseUrl: string;
}

/** A daily digest looks back a day, a weekly one a week, ending when it is made. */
export function digestWindow(cadence: DigestSubject["cadence"], now: Date) {
  const days = cadence === "daily" ? 1 : 7;
  return { from: new Date(now.getTime() - days * DAY_MS), to: now };
}

export async function computeDigest(
  db: Db,
  subject: DigestSubject,
  occurrence: Occurrence,
  context: DigestContext,
): Promise<DigestPayload> {
  const { now, baseUrl } = context;
  const window = digestWindow(subject.cadence, now);
  const entityQuery = subject.entity ? `?entity=${encodeURIComponent(subject.entity)}` : "";
  const role = subject.ownerRole;
  const [close, kpis, alerts, exceptions] = await Promise.all([
    can(role, "close:read") ? closeSection(db, subject.entity, context) : null,
    can(role, "kpis:read") ? kpiSection(db, subject.entity, window, now) : null,
    can(role, "alerts:read") ? alertSection(db, subject.entity, baseUrl) : null,
    can(role, "exceptions:read") ? exceptionSection(db, subject.entity, baseUrl, now) : null,
  ]);
  return {
    id: subject.id,
    cadence: subject.cadence,
    periodKey: occurrence.periodKey,
    generatedAt: now.toISOString(),
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    entity: subject.entity,
    url: `${baseUrl}/overview${entityQuery}`,
    close,
    kpis,
    alerts,
    exceptions,
  };
}

async function closeSection(
  db: Db,
  entity: string | null,
  context: DigestContext,
): Promise<DigestPayload["close"]> {
  const period = previousPeriod(context.now);
  const entities = entity ? [entity] : await loadEntities(db);
  const portfolio = await computeClosePortfolio(db, {
    entities,
    periods: [period],
    completenessTarget: await configuredCompletenessTarget(db),
    now: context.now,
  });
  return {
    period: portfolio.periods[0]!,
    entities: portfolio.rows.flatMap((row) =>
      row.cells.map((cell) => ({
        entity: cell.entity,
        verdict: cell.verdict,
        blockerCount: cell.blockerCount,
        url: `${context.baseUrl}${cell.href}`,
      })),
    ),
  };
}

async function kpiSection(
  db: Db,
  entity: string | null,
  window: { from: Date; to: Date },
  now: Date,
): Promise<DigestPayload["kpis"]> {
  const overview = await loadOverview(db, { ...window, entity }, { filterQuery: "", now });
  return overview.tiles.map((tile) => ({
    id: tile.id,
    title: tile.title,
    value: tile.value,
    display: tile.display,
    status: tile.status,
    target: tile.statusRule,
    change: tile.change?.text ?? null,
    assessment: tile.change?.assessment ?? null,
  }));
}

async function alertSection(
  db: Db,
  entity: string | null,
  baseUrl: string,
): Promise<DigestPayload["alerts"]> {
  const firing = await listAlerts(db, { states: ["firing"], limit: MAX_ALERTS });
  return (
    firing
      // An entity's digest keeps its own alerts and the company-wide ones ('' dimension).
      .filter((a) => !entity || a.dimension === "" || a.dimension === entity)
      .map((a) => ({
        id: a.id,
        ruleName: a.ruleName,
        severity: a.severity,
        dimension: a.dimension,
        startedAt: a.startedAt?.toISOString() ?? null,
        acknowledged: a.acknowledgedAt !== null,
        url: `${baseUrl}/alerts#alert-${a.id}`,
      }))
  );
}

/**
 * The largest open exceptions by amount, ranked as the queue's amount order ranks them: by
 * size in major units of each one's own currency. Exceptions without an amount are left out.
 */
async function exceptionSection(
  db: Db,
  entity: string | null,
  baseUrl: string,
  now: Date,
): Promise<DigestPayload["exceptions"]> {
  const page = await listExceptions(db, {
    sort: "amount",
    direction: "desc",
    entity,
    minAmount: 0,
    limit: LARGEST_EXCEPTIONS,
    now,
  });
  return page.rows.flatMap((x) =>
    x.amountMinor === null || x.currency === null
      ? []
      : [
          {
            id: x.id,
            title: x.title,
            type: x.type,
            entity: x.entity,
            amountMinor: x.amountMinor,
            currency: x.currency,
            amount: formatMoney(x.amountMinor, x.currency),
            url: `${baseUrl}/exceptions/${x.id}`,
          },
        ],
  );
}
