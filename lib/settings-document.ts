import type { Db } from "@/db/client";
import {
  ensureSetting,
  readSetting,
  readSettingForUpdate,
  writeSetting,
} from "@/db/queries/settings";
import { writeAudit, type AuditContext } from "@/lib/audit";

/** How one settings document is kept: its default, and how it is read from and written to its row. */
export interface SettingsDocument<T> {
  key: string;
  fallback: T;
  /** The document from what is stored, falling back where it cannot be read. */
  read: (stored: unknown) => T;
  /** What is stored (and audited) for the document. */
  store: (document: T) => unknown;
}

/** The document as stored, or what `doc.read` falls back to where it cannot be read. */
export async function readSettingsDocument<T>(db: Db, doc: SettingsDocument<T>): Promise<T> {
  return doc.read(await readSetting(db, doc.key));
}

/**
 * Replaces a settings document and audits it as `setting.updated`, in one transaction. The
 * row is created with the default when missing and then locked, so two admins saving at once
 * record distinct "before"s. Answers the document saved.
 */
export async function replaceSettingsDocument<T>(
  db: Db,
  doc: SettingsDocument<T>,
  after: T,
  context: AuditContext,
): Promise<T> {
  const { actor, meta } = context;
  return db.transaction(async (tx) => {
    await ensureSetting(tx, doc.key, doc.store(doc.fallback));
    const before = doc.read(await readSettingForUpdate(tx, doc.key));
    await writeSetting(tx, doc.key, doc.store(after), actor.type === "user" ? actor.id : null);
    await writeAudit(tx, {
      actor,
      action: "setting.updated",
      target: { type: "setting", id: doc.key },
      before: doc.store(before),
      after: doc.store(after),
      meta,
    });
    return after;
  });
}
