import { z } from "zod";
import type { Db } from "@/db/client";
import type { AuditActor, RequestMeta } from "@/lib/audit";
import { parseInput } from "@/lib/parse-input";
import {
  readSettingsDocument,
  replaceSettingsDocument,
  type SettingsDocument,
} from "@/lib/settings-document";
import { DEADLINE_KINDS, MAX_DEADLINE_DAY, type DeadlineFormRow } from "./deadline-words";
import type { AccountingPeriodRange } from "./period";

export { DEADLINE_KINDS, MAX_DEADLINE_DAY } from "./deadline-words";

/*
 * When each entity's month must be closed: "business day N after month end" (the Nth
 * Monday-to-Friday of the next month) or "day N of the next month", as one JSON document
 * under CLOSE_DEADLINES_KEY in the settings table, edited by admins on /admin/settings. An
 * entity without a rule of its own follows the default. Days are UTC like the periods
 * (./period.ts); public holidays are not known, so a business day is any weekday. The
 * deadline is the end of that day: a month due on business day 5 may close all that day.
 */

export const CLOSE_DEADLINES_KEY = "close.deadlines";

export const CloseDeadlineRule = z.object({
  kind: z.enum(DEADLINE_KINDS),
  day: z.int().min(1).max(MAX_DEADLINE_DAY),
});
export type CloseDeadlineRule = z.infer<typeof CloseDeadlineRule>;

export const CloseDeadlines = z.object({
  default: CloseDeadlineRule,
  entities: z.record(z.string().trim().min(1).max(200), CloseDeadlineRule).default({}),
});
export type CloseDeadlines = z.infer<typeof CloseDeadlines>;

/** Five business days after month end: a common close calendar. */
export const DEFAULT_CLOSE_DEADLINES: CloseDeadlines = {
  default: { kind: "business_day", day: 5 },
  entities: {},
};

export function deadlineRuleFor(settings: CloseDeadlines, entity: string): CloseDeadlineRule {
  return settings.entities[entity] ?? settings.default;
}

const DAY_MS = 86_400_000;

/** The instant a period's close is due: the end (next UTC midnight) of its deadline day. */
export function closeDeadline(period: AccountingPeriodRange, rule: CloseDeadlineRule): Date {
  const monthAfter = period.end.getTime();
  if (rule.kind === "calendar_day") return new Date(monthAfter + rule.day * DAY_MS);
  let day = monthAfter;
  let weekdays = 0;
  for (;;) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) weekdays++;
    if (weekdays === rule.day) return new Date(day + DAY_MS);
    day += DAY_MS;
  }
}

/** "business day 5", "day 10 of the next month" */
export function describeDeadlineRule(rule: CloseDeadlineRule): string {
  return rule.kind === "business_day"
    ? `business day ${rule.day} after month end`
    : `day ${rule.day} of the next month`;
}

/** The stored document; anything unreadable falls back to the default. */
export function closeDeadlinesFrom(stored: unknown): CloseDeadlines {
  const parsed = CloseDeadlines.safeParse(stored ?? DEFAULT_CLOSE_DEADLINES);
  return parsed.success ? parsed.data : DEFAULT_CLOSE_DEADLINES;
}

export async function loadCloseDeadlines(db: Db): Promise<CloseDeadlines> {
  return readSettingsDocument(db, DEADLINES_DOCUMENT);
}

const DEADLINES_DOCUMENT: SettingsDocument<CloseDeadlines> = {
  key: CLOSE_DEADLINES_KEY,
  fallback: DEFAULT_CLOSE_DEADLINES,
  read: closeDeadlinesFrom,
  store: (deadlines) => deadlines,
};

/** Replaces the deadlines, audited in the same transaction with the before and after. */
export async function saveCloseDeadlines(
  db: Db,
  input: unknown,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<CloseDeadlines> {
  const after = parseInput(CloseDeadlines, input, {
    label: (path) => path.map(String).join(" ") || "deadlines",
    title: "Invalid close deadlines",
  });
  return replaceSettingsDocument(db, DEADLINES_DOCUMENT, after, { actor, meta });
}

export function deadlineFormRows(
  settings: CloseDeadlines,
  entities: readonly string[],
): DeadlineFormRow[] {
  const named = [...new Set([...entities, ...Object.keys(settings.entities)])].sort();
  return [
    { entity: "", ...settings.default },
    ...named.map((entity) => {
      const own = settings.entities[entity];
      return own
        ? { entity, ...own }
        : { entity, kind: "default" as const, day: settings.default.day };
    }),
  ];
}

/**
 * The form's fields, `kind.<entity>` and `day.<entity>` (the default's entity being empty),
 * as the stored document; an entity set to "default" has no rule of its own.
 */
export function closeDeadlinesFromForm(fields: Iterable<[string, string]>): {
  default: unknown;
  entities: Record<string, unknown>;
} {
  const byEntity = new Map<string, { kind?: string; day?: string }>();
  for (const [name, value] of fields) {
    const match = /^(kind|day)\.(.*)$/s.exec(name);
    if (!match) continue;
    const row = byEntity.get(match[2]!) ?? {};
    row[match[1] as "kind" | "day"] = value;
    byEntity.set(match[2]!, row);
  }
  const rule = (row: { kind?: string; day?: string } | undefined) => ({
    kind: row?.kind,
    day: Number(row?.day),
  });
  const entities: Record<string, unknown> = {};
  for (const [entity, row] of byEntity) {
    if (entity !== "" && row.kind !== "default") entities[entity] = rule(row);
  }
  return { default: rule(byEntity.get("")), entities };
}
