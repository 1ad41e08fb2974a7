import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { materialityThresholds, type MaterialityThreshold } from "../schema";

export interface MaterialityKey {
  entity: string;
  currency: string;
}

/** The threshold of one entity and currency, locked so two changes record distinct "before"s. */
export async function lockMaterialityThreshold(
  tx: Db,
  key: MaterialityKey,
): Promise<MaterialityThreshold | undefined> {
  const [row] = await tx
    .select()
    .from(materialityThresholds)
    .where(
      and(
        eq(materialityThresholds.entity, key.entity),
        eq(materialityThresholds.currency, key.currency),
      ),
    )
    .for("update");
  return row;
}

/** Sets the threshold of one entity and currency, creating its row the first time. */
export async function upsertMaterialityThreshold(
  tx: Db,
  input: MaterialityKey & { thresholdMinor: number; updatedBy: string | null },
): Promise<MaterialityThreshold> {
  const [row] = await tx
    .insert(materialityThresholds)
    .values(input)
    .onConflictDoUpdate({
      target: [materialityThresholds.entity, materialityThresholds.currency],
      set: {
        thresholdMinor: input.thresholdMinor,
        updatedBy: input.updatedBy,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return row!;
}
