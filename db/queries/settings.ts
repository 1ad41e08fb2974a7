import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { settings } from "../schema";

/** The stored JSON of one setting, unvalidated (its owner in lib/ parses it), or null if never set. */
export async function readSetting(db: Db, key: string): Promise<unknown> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, key))
    .limit(1);
  return row ? row.value : null;
}

/**
 * Reads a setting's value while locking its row, so two admins saving at once are applied
 * one after the other and each audit entry's "before" is what that save replaced.
 */
export async function readSettingForUpdate(db: Db, key: string): Promise<unknown> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, key))
    .for("update")
    .limit(1);
  return row ? row.value : null;
}

export async function writeSetting(
  db: Db,
  key: string,
  value: unknown,
  updatedBy: string | null,
): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value, updatedBy })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedBy, updatedAt: sql`now()` } });
}

/** Creates the row with `value` unless it exists, so that a first save has a row to lock. */
export async function ensureSetting(db: Db, key: string, value: unknown): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value, updatedBy: null })
    .onConflictDoNothing({ target: settings.key });
}
