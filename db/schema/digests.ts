import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { userRef } from "./access";
import { alertChannels } from "./alerts";
import { nowOnInsert, tstz, uuidId } from "./columns";

/*
 * Digests: a scheduled summary (close readiness, headline KPIs, firing alerts, the largest
 * open exceptions) sent daily or weekly at a local time, to its owner's own address or to
 * an alert channel. lib/digests/schedule.ts decides when one is due.
 */

export const DIGEST_CADENCES = ["daily", "weekly"] as const;
export type DigestCadence = (typeof DIGEST_CADENCES)[number];

export const digests = pgTable(
  "digests",
  {
    id: uuidId(),
    ownerId: userRef("owner_id").notNull(),
    channelId: uuid("channel_id").references(() => alertChannels.id),
    cadence: text("cadence").$type<DigestCadence>().notNull(),
    /** ISO weekday, 1 = Monday … 7 = Sunday; set exactly when the cadence is weekly. */
    weekday: integer("weekday"),
    /** `HH:MM`, 24-hour, in `time_zone`. */
    localTime: text("local_time").notNull(),
    /** IANA zone the local time is read in. */
    timeZone: text("time_zone").notNull(),
    /** Null: every entity. */
    entity: text("entity"),
    enabled: boolean("enabled").notNull().default(true),
    /**
     * The local date (`YYYY-MM-DD`) of the last period a digest was queued for: the scheduler
     * queues a period once, and a time missed while nothing ran is sent once when next checked.
     */
    lastPeriodKey: text("last_period_key"),
    lastSentAt: tstz("last_sent_at"),
    createdAt: nowOnInsert("created_at"),
    updatedAt: nowOnInsert("updated_at"),
    deletedAt: tstz("deleted_at"),
  },
  (t) => [
    index("digests_owner_idx")
      .on(t.ownerId, t.createdAt)
      .where(sql`${t.deletedAt} is null`),
    check("digests_cadence", sql`${t.cadence} in ('daily', 'weekly')`),
    check(
      "digests_weekday",
      sql`(${t.cadence} = 'weekly') = (${t.weekday} is not null) and (${t.weekday} is null or ${t.weekday} between 1 and 7)`,
    ),
  ],
);

export type Digest = typeof digests.$inferSelect;
