import { z } from "zod";
import { LOCAL_TIME, WEEKDAYS } from "@/lib/digests/schedule";
import { TimeZoneSchema } from "@/lib/time-zone-name";

/*
 * Digests' contract: what a person writes to subscribe (API and forms), and the digest a
 * webhook channel receives. A digest without a channel goes to its owner's own address.
 */

export const DIGEST_CADENCES = ["daily", "weekly"] as const;

const fields = {
  /** An alert channel (Slack, Teams, e-mail or webhook); null or absent: the owner's own address. */
  channelId: z.uuid().nullable(),
  cadence: z.enum(DIGEST_CADENCES),
  /** The day a weekly digest goes out; a daily one has none. */
  weekday: z.enum(WEEKDAYS).nullable(),
  /** Local time of day, `HH:MM` on a 24-hour clock. */
  time: z.string().regex(LOCAL_TIME, "must be a time of day as HH:MM, e.g. 08:00"),
  timeZone: TimeZoneSchema,
  /** One entity's figures only; null or absent: the whole company. */
  entity: z.string().trim().min(1).max(100).nullable(),
  enabled: z.boolean(),
};

type Fields = { [K in keyof typeof fields]: z.infer<(typeof fields)[K]> };

function weekdayMatchesCadence(value: Pick<Fields, "cadence" | "weekday">, ctx: z.RefinementCtx) {
  if (value.cadence === "weekly" && value.weekday === null) {
    ctx.addIssue({ code: "custom", path: ["weekday"], message: "a weekly digest needs a weekday" });
  }
  if (value.cadence === "daily" && value.weekday !== null) {
    ctx.addIssue({ code: "custom", path: ["weekday"], message: "a daily digest has no weekday" });
  }
}

export const DigestInput = z
  .object({
    channelId: fields.channelId.default(null),
    cadence: fields.cadence,
    weekday: fields.weekday.default(null),
    time: fields.time,
    timeZone: fields.timeZone,
    entity: fields.entity.default(null),
    enabled: fields.enabled.default(true),
  })
  .strict()
  .superRefine(weekdayMatchesCadence);
export type DigestInput = z.infer<typeof DigestInput>;

/** A change: any of the fields; the digest after it is checked as a whole. */
export const DigestChange = z
  .object({
    channelId: fields.channelId,
    cadence: fields.cadence,
    weekday: fields.weekday,
    time: fields.time,
    timeZone: fields.timeZone,
    entity: fields.entity,
    enabled: fields.enabled,
  })
  .partial()
  .strict();

/** A digest as the API and the pages show it. */
export interface DigestView {
  id: string;
  /** Where it goes: the owner's address, or the channel's name and kind. */
  target:
    | { kind: "email"; address: string }
    | { kind: "channel"; id: string; name: string; channelKind: string };
  cadence: (typeof DIGEST_CADENCES)[number];
  weekday: (typeof WEEKDAYS)[number] | null;
  time: string;
  timeZone: string;
  entity: string | null;
  enabled: boolean;
  /** When it goes out next; null while disabled. */
  nextSendAt: string | null;
  lastSentAt: string | null;
  createdAt: string;
}

const KpiLine = z.object({
  id: z.string(),
  title: z.string(),
  value: z.number().nullable(),
  display: z.string(),
  status: z.string(),
  target: z.string(),
  change: z.string().nullable(),
  assessment: z.enum(["better", "worse", "same"]).nullable(),
});

/**
 * The digest itself, as stored in the outbox and as a webhook channel receives it. A section
 * is null when its owner may not read it (an operations user's digest has no KPIs). Amounts
 * are integer minor units with their currency, never summed across currencies.
 */
export const DigestPayload = z.object({
  id: z.string(),
  cadence: z.enum(DIGEST_CADENCES),
  periodKey: z.string(),
  generatedAt: z.string(),
  window: z.object({ from: z.string(), to: z.string() }),
  entity: z.string().nullable(),
  url: z.string(),
  close: z
    .object({
      period: z.object({ key: z.string(), label: z.string() }),
      entities: z.array(
        z.object({
          entity: z.string(),
          verdict: z.enum(["go", "no_go"]),
          blockerCount: z.number().int(),
          url: z.string(),
        }),
      ),
    })
    .nullable(),
  kpis: z.array(KpiLine).nullable(),
  alerts: z
    .array(
      z.object({
        id: z.string(),
        ruleName: z.string(),
        severity: z.string(),
        dimension: z.string(),
        startedAt: z.string().nullable(),
        acknowledged: z.boolean(),
        url: z.string(),
      }),
    )
    .nullable(),
  exceptions: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        type: z.string(),
        entity: z.string().nullable(),
        amountMinor: z.number().int(),
        currency: z.string(),
        amount: z.string(),
        url: z.string(),
      }),
    )
    .nullable(),
});
export type DigestPayload = z.infer<typeof DigestPayload>;

/** What a webhook channel receives, signed like an alert notice. */
export const DigestMessage = z.object({ type: z.literal("digest"), digest: DigestPayload });
export type DigestMessage = z.infer<typeof DigestMessage>;
