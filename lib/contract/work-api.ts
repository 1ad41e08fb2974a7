import { z } from "zod";
import { CORRECTION_KINDS, EXCEPTION_STATUSES, EXCEPTION_TYPES, SEVERITIES } from "@/db/schema";
import {
  COMMENT_MAX_LENGTH,
  DISMISSAL_CODES,
  NOTE_MAX_LENGTH,
  RESOLUTION_CODES,
} from "@/lib/exceptions/vocabulary";
import { CurrencyCode, keysetPageFields, pageCursor } from "./primitives";
import { moneyAtStakeFields } from "./money";

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
  ...keysetPageFields("Corrections"),
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

/*
 * What the work API answers. Not used to build answers (the handlers return the domain's
 * objects); they describe them for the OpenAPI document, and the integration tests check
 * every real answer against that document, so the two cannot drift apart.
 */

const Instant = z.iso.datetime({ offset: true });
const Uuid = z.uuid();

export const ExceptionResource = z
  .object({
    id: Uuid,
    type: z.enum(EXCEPTION_TYPES),
    status: z.enum(EXCEPTION_STATUSES),
    severity: z.enum(SEVERITIES),
    title: z.string(),
    entity: z.string().nullable(),
    amountMinor: z.number().nullable(),
    currency: z.string().nullable(),
    ...moneyAtStakeFields,
    ownerId: Uuid.nullable(),
    ownerEmail: z.string().nullable(),
    openedAt: Instant,
    updatedAt: Instant,
    closedAt: Instant.nullable(),
    resolutionCode: z.string().nullable(),
    resolutionNote: z.string().nullable(),
    version: z.int().min(1).meta({ description: "Send it back as If-Match to act on this state" }),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ description: "An exception; more fields may be added" });

export const TimelineItemResource = z
  .object({
    kind: z.enum(["event", "audit", "comment", "rejected"]),
    at: Instant,
  })
  .meta({ description: "One entry of the exception's history; fields depend on kind" });

export const ExceptionWithTimeline = z.object({
  exception: ExceptionResource,
  timeline: z.object({
    items: z.array(TimelineItemResource),
    truncated: z.boolean().meta({ description: "Only the latest related events are shown" }),
  }),
});

export const ExceptionActionResult = z.object({
  exception: ExceptionResource,
  comment: z.object({ id: z.int() }).optional().meta({ description: "comments: the new comment" }),
  retry: z
    .object({
      exceptionId: Uuid,
      outcome: z.enum(["requested", "already_requested"]),
      commandId: Uuid,
      commandStatus: z.string().optional(),
    })
    .optional()
    .meta({ description: "retry: the command sent to the ERP connector" }),
  replayed: z
    .array(
      z.object({
        id: z.int(),
        outcome: z.enum(["accepted", "duplicate", "still_invalid", "failed"]),
        errors: z.array(z.string()).optional(),
        error: z.string().optional(),
      }),
    )
    .optional()
    .meta({ description: "replay: each waiting rejected event's outcome" }),
  dismissed: z.int().optional().meta({ description: "dismiss-events: how many were dismissed" }),
});

export const CorrectionResource = z
  .object({
    id: Uuid,
    exceptionId: Uuid,
    kind: z.enum(CORRECTION_KINDS),
    amountMinor: z.number(),
    currency: z.string(),
    entity: z.string().nullable(),
    targetSystem: z.string(),
    reason: z.string(),
    status: z.enum(["pending_approval", "approved", "rejected"]),
    requiredApprovals: z.int(),
    proposedBy: Uuid.nullable().meta({ description: "The person who proposed it" }),
    proposedByKeyId: Uuid.nullable().meta({ description: "Or the service key that did" }),
    proposedAt: Instant,
    decidedAt: Instant.nullable(),
    commandId: Uuid.nullable(),
    version: z.int().min(1).meta({ description: "Send it back as If-Match to decide" }),
  })
  .meta({ description: "A correction; more fields may be added" });

export const CorrectionDetail = CorrectionResource.extend({
  decisions: z.array(
    z.object({
      deciderId: Uuid,
      decision: z.enum(["approve", "reject"]),
      reason: z.string(),
      at: Instant,
    }),
  ),
  commandStatus: z.string().nullable(),
  execution: z
    .object({
      status: z.enum(["executed", "failed"]),
      executedAt: Instant,
      documentRef: z.string().nullable(),
      errorMessage: z.string().nullable(),
    })
    .nullable(),
});

export const CorrectionList = z.object({
  items: z.array(CorrectionResource),
  nextCursor: pageCursor("Pass as cursor for the next page"),
});

export const BulkResponse = z.object({
  succeeded: z.int().min(0),
  failed: z.int().min(0),
  results: z.array(
    z.union([
      z.object({
        id: z.string(),
        ok: z.literal(true),
        version: z.int().optional(),
        changed: z.boolean().optional(),
        outcome: z.string().optional(),
      }),
      z.object({ id: z.string(), ok: z.literal(false), code: z.string(), error: z.string() }),
    ]),
  ),
});
