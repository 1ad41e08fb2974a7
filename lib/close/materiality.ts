import { z } from "zod";
import type { Db } from "@/db/client";
import { lockMaterialityThreshold, upsertMaterialityThreshold } from "@/db/queries/materiality";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { CurrencyCode, EntityCode, NonNegativeMinorUnits } from "@/lib/contract";
import { InvalidInput } from "@/lib/errors";
import { currencyDigits } from "@/lib/format";
import { parseInput } from "@/lib/parse-input";

/*
 * Materiality per entity and currency: a reconciliation break or an open dispute at or below
 * it does not block the close. Set by finance, audited with the value before and after.
 */

export const SetMaterialityInput = z.object({
  entity: EntityCode,
  currency: CurrencyCode,
  thresholdMinor: NonNegativeMinorUnits,
});
export type SetMaterialityInput = z.input<typeof SetMaterialityInput>;

/**
 * "1,250.50" in USD → 125050. Exact: the amount is read as a decimal string, never as a
 * binary fraction, and more decimals than the currency has are refused rather than rounded.
 */
export function parseMajorUnits(text: string, currency: string): number {
  const digits = currencyDigits(currency);
  const cleaned = text.trim().replace(/[,\s_]/g, "");
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) throw new InvalidInput(`"${text}" is not an amount`);
  const fraction = match[2] ?? "";
  if (fraction.length > digits) {
    throw new InvalidInput(
      `${currency} has ${digits} decimal${digits === 1 ? "" : "s"}; "${text}" has more`,
    );
  }
  const minor =
    BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, "0") || "0");
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidInput(`"${text}" is too large`);
  return Number(minor);
}

export interface MaterialitySetter {
  userId: string | null;
  actor: AuditActor;
  meta?: RequestMeta;
}

export async function setMateriality(db: Db, input: SetMaterialityInput, by: MaterialitySetter) {
  const data = parseInput(SetMaterialityInput, input);
  return db.transaction(async (tx) => {
    const before = await lockMaterialityThreshold(tx, data);
    if (before && before.thresholdMinor === data.thresholdMinor)
      return { threshold: before, changed: false };
    const row = await upsertMaterialityThreshold(tx, { ...data, updatedBy: by.userId });
    await writeAudit(tx, {
      actor: by.actor,
      action: "close.materiality_set",
      target: { type: "materiality_threshold", id: `${data.entity}/${data.currency}` },
      before: before
        ? { entity: data.entity, currency: data.currency, thresholdMinor: before.thresholdMinor }
        : null,
      after: { entity: data.entity, currency: data.currency, thresholdMinor: data.thresholdMinor },
      meta: by.meta,
    });
    return { threshold: row, changed: true };
  });
}
