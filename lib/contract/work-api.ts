import { z } from "zod";
import { CORRECTION_KINDS } from "@/db/schema";
import {
  COMMENT_MAX_LENGTH,
  DISMISSAL_CODES,
  NOTE_MAX_LENGTH,
  RESOLUTION_CODES,
} from "@/lib/exceptions/vocabulary";
import { CurrencyCode } from "./primitives";

/*
 * The bodies of the API's queue and correction actions (POST /api/v1/exceptions/{id}/…,
 * /api/v1/corrections/{id}/…). The handlers parse requests with these, and the OpenAPI
 * document is generated from them. The domain (lib/exceptions/workflow.ts,
 * lib/corrections) checks its own rules again whoever calls, as it does for the UI.
 */

const Note = z.string().max(NOTE_MAX_LENGTH);

export const AssignBody = z
  .object({
    assignee: z.email().nullable().meta({
      description: "Email of an active user whose role may work exceptions, or null to unassign",
    }),
  })
  .strict();

export const CommentBody = z
  .object({ body: z.string().min(1).max(COMMENT_MAX_LENGTH).meta({ description: "The comment" }) })
  .strict();

export const ResolveBody = z
  .object({
    reason: z.enum(RESOLUTION_CODES).meta({ description: "Why the exception is resolved" }),
    note: Note.optional().meta({ description: 'What was done; required when reason is "other"' }),
  })
  .strict();

export const DismissBody = z
  .object({
    reason: z.enum(DISMISSAL_CODES).meta({ description: "Why no action is needed" }),
    note: Note.min(1).meta({ description: "Why the exception needs no action" }),
  })
  .strict();

export const DismissEventsBody = z
  .object({
    reason: z.string().min(1).max(500).meta({ description: "Why the rejected events are dropped" }),
  })
  .strict();

/** Actions that take no fields; an empty body or `{}`. */
export const EmptyBody = z.object({}).strict();

export const ProposeCorrectionBody = z
  .object({
    kind: z.enum(CORRECTION_KINDS),
    amountMinor: z.int().min(1).meta({ description: "Amount in the currency's minor units" }),
    currency: CurrencyCode,
    targetSystem: z.string().min(1).max(100).meta({ description: "The system that books it" }),
    reason: z.string().min(5).max(2000).meta({ description: "Why the correction is needed" }),
  })
  .strict();

export const DecideCorrectionBody = z
  .object({ reason: z.string().min(3).max(2000).meta({ description: "Why, for the record" }) })
  .strict();

export const EXCEPTION_ACTIONS = [
  "assign",
  "start",
  "comments",
  "retry",
  "resolve",
  "dismiss",
  "replay",
  "dismiss-events",
] as const;
export type ExceptionAction = (typeof EXCEPTION_ACTIONS)[number];

export const EXCEPTION_ACTION_BODIES = {
  assign: AssignBody,
  start: EmptyBody,
  comments: CommentBody,
  retry: EmptyBody,
  resolve: ResolveBody,
  dismiss: DismissBody,
  replay: EmptyBody,
  "dismiss-events": DismissEventsBody,
} as const satisfies Record<ExceptionAction, z.ZodType>;

export const ListCorrectionsQuery = z.object({
  status: z
    .enum(["pending_approval", "approved", "rejected"])
    .optional()
    .meta({ description: "Only corrections in this status" }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .meta({ description: "Corrections per page" }),
  cursor: z.string().optional().meta({ description: "The `nextCursor` of the previous page" }),
});

/** One bulk request acts on at most a few pages of the queue, as the UI's bulk bar does. */
export const MAX_BULK_IDS = 500;

const BulkIds = z
  .array(z.string())
  .min(1)
  .max(MAX_BULK_IDS)
  .meta({ description: `Exception ids, at most ${MAX_BULK_IDS}; each gets its own result` });

export const BulkBody = z.discriminatedUnion("action", [
  z
    .object({ action: z.literal("assign"), ids: BulkIds, assignee: AssignBody.shape.assignee })
    .strict(),
  z.object({ action: z.literal("retry"), ids: BulkIds }).strict(),
  z
    .object({
      action: z.literal("resolve"),
      ids: BulkIds,
      reason: ResolveBody.shape.reason,
      note: ResolveBody.shape.note,
    })
    .strict(),
  z
    .object({
      action: z.literal("dismiss"),
      ids: BulkIds,
      reason: DismissBody.shape.reason,
      note: DismissBody.shape.note,
    })
    .strict(),
]);
