import { jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { nowOnInsert } from "./columns";
import { userRef } from "./access";

/**
 * Small, rarely changed configuration an admin edits in the app (KPI targets, …), one JSON
 * document per key. Each value is validated by the lib/ module that owns its key when read,
 * so a bad row falls back to that module's defaults instead of breaking a page.
 */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: nowOnInsert("updated_at"),
  /** Null when changed outside the app (command line, migration). */
  updatedBy: userRef("updated_by"),
});
