import { z } from "zod";
import { Timestamp, pageCursor } from "./primitives";

/*
 * The shapes the ingestion API answers with. They are not used to build responses (the
 * handlers return plain objects typed by their own interfaces); they exist so that the
 * OpenAPI document and docs/ingestion.md describe the answers from code, and the tests
 * check that what the handlers return matches them.
 */

export const ApiError = z
  .object({
    error: z
      .object({
        code: z.string().meta({ description: "Stable machine-readable code, e.g. invalid_input" }),
        message: z.string().meta({ description: "What went wrong, for a human" }),
        details: z.unknown().optional().meta({ description: "Structured detail where it helps" }),
      })
      .meta({ description: "What went wrong" }),
  })
  .meta({ description: "Every non-200 answer of the API has this shape." });

const ItemErrors = z
  .array(z.string())
  .meta({ description: 'One entry per problem, "<field>: <reason>", e.g. "data.currency: ..."' });

export const IngestResponse = z
  .object({
    accepted: z.int().min(0).meta({ description: "Events stored by this request" }),
    duplicates: z.int().min(0).meta({
      description: "Events whose (source, id) was already stored, or repeated in this request",
    }),
    rejected: z
      .array(
        z.object({
          index: z.int().min(0).meta({ description: "0-based position of the item in the batch" }),
          id: z.string().nullable().meta({ description: "The item's id, if it had a usable one" }),
          errors: ItemErrors,
        }),
      )
      .meta({
        description: "The items that were not stored, each with its reasons (kept for replay)",
      }),
  })
  .meta({ description: "Per-item outcome. One bad item never blocks the good ones." });

export const CsvUploadResponse = z
  .object({
    accepted: IngestResponse.shape.accepted,
    duplicates: IngestResponse.shape.duplicates,
    rejected: z
      .array(
        z.object({
          index: z
            .int()
            .min(0)
            .meta({ description: "0-based position of the row among data rows" }),
          line: z.int().min(1).meta({ description: "1-based line of the row in the file" }),
          id: z.string().nullable().meta({ description: "The event id the row was given" }),
          errors: ItemErrors,
        }),
      )
      .meta({ description: "The rows that were not stored, each with its line and reasons" }),
  })
  .meta({ description: "Per-row outcome. One bad row never blocks the good ones." });

export const StoredEvent = z.object({
  source: z.string().meta({ description: "The event's source, as sent" }),
  id: z.string().meta({ description: "The event's id, as sent" }),
  type: z.string().meta({ description: "The event type" }),
  time: Timestamp.meta({ description: "The event's time" }),
  receivedAt: Timestamp.meta({ description: "When Closeline stored the event" }),
  subject: z.string().nullable().meta({ description: "The event's subject, if it had one" }),
  data: z.record(z.string(), z.unknown()).meta({ description: "The event's data, as validated" }),
  attributes: z.record(z.string(), z.unknown()).meta({
    description: "CloudEvents attributes beyond the ones above (extensions), as sent",
  }),
  apiKeyId: z.uuid().nullable().meta({ description: "The API key that sent the event" }),
});

export const EventListResponse = z.object({
  events: z.array(StoredEvent).meta({ description: "Oldest first, by time" }),
  nextCursor: pageCursor("Pass as `cursor` to get the next page; null on the last page"),
});
