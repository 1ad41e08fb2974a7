import type { z } from "zod";
import { MAX_JSON_BODY_BYTES } from "@/lib/http/json-body";
import { IDEMPOTENCY_TTL_HOURS } from "@/lib/http/idempotency";
import { WRITE_RATE } from "@/lib/http/write-limit";
import {
  AssignBody,
  BulkBody,
  BulkResponse,
  CommentBody,
  CorrectionDetail,
  CorrectionList,
  CorrectionResource,
  DecideCorrectionBody,
  DismissBody,
  DismissEventsBody,
  ExceptionActionResult,
  ExceptionResource,
  ExceptionWithTimeline,
  ListCorrectionsQuery,
  ProposeCorrectionBody,
  ResolveBody,
  TimelineItemResource,
} from "./work-api";
import { toJsonSchema } from "./json-schema";
import { Timestamp } from "./primitives";

/*
 * The work API's part of the OpenAPI document: the queue's actions, corrections and bulk,
 * built from the zod schemas in work-api.ts that the handlers parse requests with.
 */

type JsonObject = Record<string, unknown>;

/** The schemas this part adds to components, by name. */
export const WORK_SCHEMAS: Record<string, z.ZodType> = {
  Exception: ExceptionResource,
  TimelineItem: TimelineItemResource,
  ExceptionWithTimeline,
  ExceptionActionResult,
  AssignRequest: AssignBody,
  CommentRequest: CommentBody,
  ResolveRequest: ResolveBody,
  DismissRequest: DismissBody,
  DismissEventsRequest: DismissEventsBody,
  BulkRequest: BulkBody,
  BulkResponse,
  ProposeCorrectionRequest: ProposeCorrectionBody,
  DecideCorrectionRequest: DecideCorrectionBody,
  Correction: CorrectionResource,
  CorrectionDetail,
  CorrectionList,
};

export const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
export const jsonBody = (id: string) => ({ "application/json": { schema: ref(id) } });

const ERRORS: Record<number, string> = {
  400: "The body, a parameter or a header (If-Match, Idempotency-Key) is invalid; the message names each problem",
  401: "No credential, or an unknown, revoked or expired one",
  403: "The role or the scope may not do this; the message names what is missing",
  404: "No such item (a malformed id is none either)",
  409: "Not allowed in the item's current state (the message says why), or a request with the same Idempotency-Key is still running",
  412: "If-Match names a version the item has left; details.currentVersion is the current one",
  413: `The body is larger than ${MAX_JSON_BODY_BYTES.toLocaleString("en-US")} bytes`,
  415: "The body is not application/json",
  422: "The Idempotency-Key was used with a different request",
  429: `More than ${WRITE_RATE.perSecond} writes per second (bursts of ${WRITE_RATE.burst}) from one person or service key; retry after the Retry-After header's seconds`,
  500: "An unexpected error; the message never reveals internals",
  503: "The database is unavailable; retry after the Retry-After header's seconds",
};

export function errors(...statuses: number[]) {
  return Object.fromEntries(
    [...statuses, 401, 403, 500, 503].sort().map((s) => [
      String(s),
      {
        description: ERRORS[s],
        ...(s === 429 || s === 503
          ? { headers: { "Retry-After": { schema: { type: "integer" } } } }
          : {}),
        content: jsonBody("Error"),
      },
    ]),
  );
}

export const WRITE_ERRORS = [400, 404, 409, 412, 413, 415, 422, 429];

export const idParameter = (what: string) => ({
  name: "id",
  in: "path",
  required: true,
  description: `The ${what}'s id`,
  schema: { type: "string", format: "uuid" },
});

/** If-Match and Idempotency-Key, as every write that honours them documents them. */
export const WRITE_HEADERS = [
  {
    name: "If-Match",
    in: "header",
    required: false,
    description:
      'The version you read, as the ETag gave it ("3"): the write is refused with 412 if the item changed since',
    schema: { type: "string" },
  },
  {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description: `A unique key per intended write: a repeat with the same request answers the first answer (Idempotent-Replayed: true) for ${IDEMPOTENCY_TTL_HOURS} hours; with a different request, 422`,
    schema: { type: "string", minLength: 1, maxLength: 255 },
  },
];

export const ETAG = {
  ETag: { description: "The item's version after this answer", schema: { type: "string" } },
};

/** A JSON answer whose body follows the named schema. */
export const jsonAnswer = (description: string, schema: string) => ({
  description,
  content: jsonBody(schema),
});

/** A JSON answer that also carries the item's version as its ETag. */
export const versionedAnswer = (description: string, schema: string) => ({
  description,
  headers: ETAG,
  content: jsonBody(schema),
});

export const PERSON_OR_WORK_KEY = [{ personalToken: [] }, { apiKey: ["work"] }];
export const PERSON_OR_READ_KEY = [{ personalToken: [] }, { apiKey: ["read"] }];

/**
 * GET /api/v1/<item>s/{id}: one item, for a person or a read key unless `security` says
 * otherwise; tagged with the item's plural, named get<Item>.
 */
export function readOnePath(
  item: string,
  summary: string,
  answer: JsonObject,
  security: JsonObject[] = PERSON_OR_READ_KEY,
) {
  return {
    get: {
      operationId: `get${item[0]!.toUpperCase()}${item.slice(1)}`,
      tags: [`${item}s`],
      summary,
      security,
      parameters: [idParameter(item)],
      responses: { "200": answer, ...errors(404) },
    },
  };
}

interface ActionSpec {
  summary: string;
  request?: string;
  status?: number;
  description: string;
}

const ACTIONS: Record<string, ActionSpec> = {
  assign: {
    summary: "Assign the exception to a person, or unassign it",
    request: "AssignRequest",
    description: "The assignee must be an active user whose role may work exceptions.",
  },
  start: {
    summary: "Start work on an open exception",
    description: "An unowned exception started by a person becomes theirs.",
  },
  comments: {
    summary: "Comment on the exception",
    request: "CommentRequest",
    status: 201,
    description: "A comment does not change the version.",
  },
  retry: {
    summary: "Retry a failed ERP posting",
    description:
      "Sends one erp.posting.retry command per failed attempt through the outbox; a repeat for the same attempt answers already_requested.",
  },
  resolve: {
    summary: "Resolve the exception with a reason",
    request: "ResolveRequest",
    description: 'A note is required when the reason is "other".',
  },
  dismiss: {
    summary: "Dismiss the exception as needing no action",
    request: "DismissRequest",
    description: "A note saying why is required.",
  },
  replay: {
    summary: "Replay the waiting events of a rejected-events exception",
    description: "Each event is validated again; those that pass are ingested.",
  },
  "dismiss-events": {
    summary: "Dismiss the waiting events of a rejected-events exception",
    request: "DismissEventsRequest",
    description: "The exception closes once none of its events waits.",
  },
};

function actionPath(action: string, spec: ActionSpec) {
  return {
    post: {
      operationId: `exception_${action.replace("-", "_")}`,
      tags: ["exceptions"],
      summary: spec.summary,
      description: spec.description,
      security: PERSON_OR_WORK_KEY,
      parameters: [idParameter("exception"), ...WRITE_HEADERS],
      ...(spec.request ? { requestBody: { required: true, content: jsonBody(spec.request) } } : {}),
      responses: {
        [String(spec.status ?? 200)]: versionedAnswer(
          "The exception after the action",
          "ExceptionActionResult",
        ),
        ...errors(...WRITE_ERRORS),
      },
    },
  };
}

/**
 * The `from` and `to` query parameters of a read over the range [from, to); `fromDescription`
 * says what is read when both are absent.
 */
export function rangeParameters(fromDescription: string) {
  return [
    {
      name: "from",
      in: "query",
      required: false,
      description: fromDescription,
      schema: toJsonSchema(Timestamp),
    },
    {
      name: "to",
      in: "query",
      required: false,
      description: "The range's end, excluded: after `from`, at most 366 days later",
      schema: toJsonSchema(Timestamp),
    },
  ];
}

export function queryParameters(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: "query",
    required: false,
    description: (field as z.ZodType).meta()?.description,
    schema: { type: name === "limit" ? "integer" : "string" },
  }));
}

export function workApiPaths(): Record<string, JsonObject> {
  const decide = (decision: "approve" | "reject") => ({
    post: {
      operationId: `${decision}Correction`,
      tags: ["corrections"],
      summary: `${decision === "approve" ? "Approve" : "Reject"} a correction`,
      description:
        "Needs a person with the corrections:approve permission (a session or a personal token); a service key is refused with 403, and so is the proposer. Above the entity's threshold two approvers are needed.",
      security: [{ personalToken: [] }],
      parameters: [idParameter("correction"), ...WRITE_HEADERS],
      requestBody: { required: true, content: jsonBody("DecideCorrectionRequest") },
      responses: {
        "200": versionedAnswer("The correction after the decision", "CorrectionDetail"),
        ...errors(...WRITE_ERRORS),
      },
    },
  });
  return {
    "/api/v1/exceptions/{id}": readOnePath(
      "exception",
      "One exception with its version and timeline",
      versionedAnswer("The exception and its timeline", "ExceptionWithTimeline"),
    ),
    ...Object.fromEntries(
      Object.entries(ACTIONS).map(([action, spec]) => [
        `/api/v1/exceptions/{id}/${action}`,
        actionPath(action, spec),
      ]),
    ),
    "/api/v1/exceptions/{id}/corrections": {
      post: {
        operationId: "proposeCorrection",
        tags: ["corrections"],
        summary: "Propose a correction of the exception",
        description:
          "The exception then awaits approval by a person other than the proposer. A service key with the work scope may propose.",
        security: PERSON_OR_WORK_KEY,
        parameters: [idParameter("exception"), ...WRITE_HEADERS],
        requestBody: { required: true, content: jsonBody("ProposeCorrectionRequest") },
        responses: {
          "201": {
            description: "The correction, pending approval",
            headers: {
              ...ETAG,
              Location: { description: "The correction's URL", schema: { type: "string" } },
            },
            content: jsonBody("CorrectionDetail"),
          },
          ...errors(...WRITE_ERRORS),
        },
      },
    },
    "/api/v1/exceptions/bulk": {
      post: {
        operationId: "bulkExceptionAction",
        tags: ["exceptions"],
        summary: "One action over many exceptions",
        description:
          "Each id is acted on in its own transaction at the version it is at, and gets its own result; one that cannot be acted on does not hold back the others.",
        security: PERSON_OR_WORK_KEY,
        parameters: [WRITE_HEADERS[1]],
        requestBody: { required: true, content: jsonBody("BulkRequest") },
        responses: {
          "200": jsonAnswer("One result per id", "BulkResponse"),
          ...errors(400, 409, 413, 415, 422, 429),
        },
      },
    },
    "/api/v1/corrections": {
      get: {
        operationId: "listCorrections",
        tags: ["corrections"],
        summary: "Corrections, newest first",
        description: "Keyset pagination: follow nextCursor until it is null.",
        security: PERSON_OR_READ_KEY,
        parameters: queryParameters(ListCorrectionsQuery),
        responses: {
          "200": jsonAnswer("A page of corrections", "CorrectionList"),
          ...errors(400),
        },
      },
    },
    "/api/v1/corrections/{id}": readOnePath(
      "correction",
      "One correction with its decisions",
      versionedAnswer("The correction", "CorrectionDetail"),
    ),
    "/api/v1/corrections/{id}/approve": decide("approve"),
    "/api/v1/corrections/{id}/reject": decide("reject"),
  };
}
