import { z } from "zod";
import { EXCEPTION_STATUSES, INCIDENT_TYPES, SEVERITIES } from "@/db/schema";
import { CurrencyCode, keysetPageFields, pageCursor } from "./primitives";

/*
 * Incidents over HTTP: GET /api/v1/incidents, GET /api/v1/incidents/{id} and
 * POST /api/v1/incidents/{id}/retry. The handlers answer these shapes
 * (lib/exceptions/incident-http.ts) and the OpenAPI document is generated from them.
 */

const Instant = z.iso.datetime({ offset: true }).meta({ description: "ISO 8601 instant" });

export const INCIDENT_STATUSES = ["open", "resolved"] as const;

export const ListIncidentsQuery = z.object({
  status: z
    .enum(INCIDENT_STATUSES)
    .optional()
    .meta({ description: "open: a member is still open; resolved: every member is closed" }),
  kind: z
    .enum(INCIDENT_TYPES)
    .optional()
    .meta({ description: "Only incidents whose members are of this exception type" }),
  entity: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: "Only incidents with a member of this entity" }),
  ...keysetPageFields("Incidents"),
});

export const IncidentResource = z.object({
  id: z.uuid(),
  kind: z.enum(INCIDENT_TYPES).meta({ description: "The exception type its members share" }),
  title: z.string().meta({ description: "The shared cause in words" }),
  status: z.enum(INCIDENT_STATUSES).meta({
    description: "Derived: resolved when every member is resolved or dismissed",
  }),
  firstSeen: Instant.meta({ description: "When the earliest member's problem occurred" }),
  lastSeen: Instant.meta({ description: "When the latest member's problem occurred" }),
  version: z.int().meta({
    description: "Grows with every change to a member; the ETag, and what If-Match compares",
  }),
  memberCount: z.int().min(0),
  openCount: z.int().min(0).meta({ description: "Members not yet resolved or dismissed" }),
  retryableCount: z
    .int()
    .min(0)
    .meta({ description: "Open failed ERP postings: what a retry asks for" }),
  entities: z.array(z.string()).meta({ description: "The entities its members belong to" }),
  customerCount: z.int().min(0).meta({ description: "Distinct customers its members name" }),
  amounts: z
    .array(
      z.object({
        currency: CurrencyCode,
        amountMinor: z.int(),
        members: z.int().min(0).meta({ description: "Members with an amount in this currency" }),
      }),
    )
    .meta({
      description: "Amount at risk per currency, in minor units; never summed across currencies",
    }),
  unknownAmountCount: z
    .int()
    .min(0)
    .meta({ description: "Members whose amount at risk is unknown (not counted as zero)" }),
});

export const IncidentMemberResource = z.object({
  id: z.uuid(),
  type: z.enum(INCIDENT_TYPES),
  status: z.enum(EXCEPTION_STATUSES),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  entity: z.string().nullable(),
  customerId: z.string().nullable(),
  invoiceId: z.string().nullable(),
  postingId: z.string().nullable(),
  amountMinor: z.int().nullable(),
  currency: CurrencyCode.nullable(),
  openedAt: Instant,
  closedAt: Instant.nullable(),
  version: z.int(),
  href: z.string().meta({ description: "The exception's page" }),
});

export const IncidentDetailResource = IncidentResource.extend({
  customers: z
    .array(z.string())
    .meta({ description: "The customers its members name, by id (at most 100)" }),
  members: z
    .array(IncidentMemberResource)
    .meta({ description: "First occurred first, at most 500; the counts cover all" }),
  membersTruncated: z.boolean(),
});

export const IncidentList = z.object({
  items: z.array(IncidentResource),
  nextCursor: pageCursor("Pass as cursor for the next page"),
});

export const IncidentRetryResult = z.object({
  incident: IncidentDetailResource,
  succeeded: z.int().min(0),
  failed: z.int().min(0),
  results: z.array(
    z.object({
      exceptionId: z.uuid(),
      outcome: z.enum(["requested", "already_requested", "failed"]).meta({
        description:
          "requested: a command was sent; already_requested: one for this attempt is on its way; failed: see error",
      }),
      commandId: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
});

export const INCIDENT_SCHEMAS: Record<string, z.ZodType> = {
  Incident: IncidentResource,
  IncidentMember: IncidentMemberResource,
  IncidentDetail: IncidentDetailResource,
  IncidentList,
  IncidentRetryResult,
};
