import { z } from "zod";
import type { Db } from "@/db/client";
import type { AuditActor, RequestMeta } from "@/lib/audit";
import { InvalidInput } from "@/lib/errors";
import {
  readSettingsDocument,
  replaceSettingsDocument,
  type SettingsDocument,
} from "@/lib/settings-document";
import {
  DEFAULT_SLA_POLICY,
  DEFAULT_SLA_TARGET,
  toSlaHours,
  toSlaTarget,
  type SlaHours,
  type SlaPolicy,
} from "./sla";
import { TYPE_LABELS, TYPES, type ExceptionType } from "./vocabulary";
import { parseInput } from "@/lib/parse-input";

/*
 * The SLA targets per exception type, one JSON document under SLA_SETTINGS_KEY in the
 * settings table, edited by admins on /admin/settings. The queue, the exception page and the
 * CSV export all measure ages against the policy read here.
 */

export const SLA_SETTINGS_KEY = "exceptions.sla";

/** A target longer than a quarter would no longer be a service level but a backlog. */
export const MAX_SLA_HOURS = 24 * 92;

/** One type's target as an admin types it, in hours. */
const SlaHoursSchema = z
  .object({
    warningHours: z.number().positive().max(MAX_SLA_HOURS),
    breachHours: z.number().positive().max(MAX_SLA_HOURS),
  })
  .refine((t) => t.warningHours < t.breachHours, {
    message: "the warning must come before the breach",
    path: ["warningHours"],
  });

/** The stored document: hours per type; a type missing from it keeps the default. */
export const SlaSettingsSchema = z.object(
  Object.fromEntries(TYPES.map((type) => [type, SlaHoursSchema.optional()])) as Record<
    ExceptionType,
    z.ZodOptional<typeof SlaHoursSchema>
  >,
);
export type SlaSettings = z.infer<typeof SlaSettingsSchema>;

/** The policy a stored document describes; anything unreadable falls back to the defaults. */
export function slaPolicyFrom(stored: unknown): SlaPolicy {
  const parsed = SlaSettingsSchema.safeParse(stored ?? {});
  if (!parsed.success) return DEFAULT_SLA_POLICY;
  return Object.fromEntries(
    TYPES.map((type) => {
      const hours = parsed.data[type];
      return [type, hours ? toSlaTarget(hours) : DEFAULT_SLA_TARGET];
    }),
  ) as SlaPolicy;
}

function asSettings(policy: SlaPolicy): Record<ExceptionType, SlaHours> {
  return Object.fromEntries(TYPES.map((t) => [t, toSlaHours(policy[t])])) as Record<
    ExceptionType,
    SlaHours
  >;
}

const SLA_DOCUMENT: SettingsDocument<SlaPolicy> = {
  key: SLA_SETTINGS_KEY,
  fallback: DEFAULT_SLA_POLICY,
  read: slaPolicyFrom,
  store: asSettings,
};

export async function loadSlaPolicy(db: Db): Promise<SlaPolicy> {
  return readSettingsDocument(db, SLA_DOCUMENT);
}

/** Replaces the targets, audited in the same transaction (hours per type, before and after). */
export async function saveSlaPolicy(
  db: Db,
  input: unknown,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<SlaPolicy> {
  const after = slaPolicyFrom(parseInput(SlaSettingsSchema, input, { label: typeLabelOfPath }));
  return replaceSettingsDocument(db, SLA_DOCUMENT, after, { actor, meta });
}

function typeLabelOfPath(path: readonly PropertyKey[]): string {
  const type = path[0] as ExceptionType | undefined;
  return type && type in TYPE_LABELS ? TYPE_LABELS[type] : String(type ?? "value");
}

/** The form's fields "<type>.warningHours" and "<type>.breachHours" as the stored document. */
export function slaSettingsFromForm(get: (field: string) => string | null): SlaSettings {
  const hours = (field: string) => {
    const raw = get(field)?.trim() ?? "";
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value))
      throw new InvalidInput(
        `${field.split(".")[1] === "warningHours" ? "Warning" : "Breach"} hours must be a number`,
      );
    return value;
  };
  return Object.fromEntries(
    TYPES.map((type) => [
      type,
      { warningHours: hours(`${type}.warningHours`), breachHours: hours(`${type}.breachHours`) },
    ]),
  ) as SlaSettings;
}

export interface SlaFormRow {
  type: ExceptionType;
  label: string;
  warningHours: number;
  breachHours: number;
}

export function slaFormRows(policy: SlaPolicy): SlaFormRow[] {
  return TYPES.map((type) => ({ type, label: TYPE_LABELS[type], ...toSlaHours(policy[type]) }));
}
