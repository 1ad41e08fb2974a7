import type { z } from "zod";
import { AlertChannelInput, ChannelDeliveryInput } from "./alert-channels";
import { AlertDelivery, AlertGroupNotice } from "./alert-notices";
import { AlertRuleInput, AlertSilenceInput } from "./alert-rules";
import { ETAG, WRITE_HEADERS, errors, idParameter, jsonBody, ref } from "./work-openapi";

/*
 * The alert API's part of the OpenAPI document: rules and channels (people with
 * alerts:manage, by session or personal token), the alerts themselves and their
 * acknowledgement. Request bodies are the zod schemas the handlers parse with.
 */

type JsonObject = Record<string, unknown>;

export const ALERT_SCHEMAS: Record<string, z.ZodType> = {
  AlertRuleRequest: AlertRuleInput,
  AlertChannelRequest: AlertChannelInput,
  AlertChannelDelivery: ChannelDeliveryInput,
  AlertSilenceRequest: AlertSilenceInput,
  AlertGroupNotice,
  AlertDelivery,
};

/** A person's credential: a session, or a personal token. */
export const PERSON = [{ personalToken: [] }];
export const object = (description: string) => ({
  description,
  content: { "application/json": { schema: { type: "object" } } },
});
export const list = (description: string) => ({
  description,
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["data"],
        properties: { data: { type: "array", items: { type: "object" } } },
      },
    },
  },
});
export const NO_CONTENT = { description: "Done; no body" };

/** If-Match on a write to an existing item; Idempotency-Key on a POST. */
const [IF_MATCH, IDEMPOTENCY_KEY] = WRITE_HEADERS;

/** An answer that carries the item's version as its ETag. */
const versioned = (description: string) => ({ ...object(description), headers: ETAG });

function resource(
  name: string,
  plural: string,
  request: string,
  tag: string,
  /** A second schema the body also follows (a channel's delivery settings). */
  alsoRequest?: string,
): JsonObject {
  const body = alsoRequest
    ? { "application/json": { schema: { allOf: [ref(request), ref(alsoRequest)] } } }
    : jsonBody(request);
  return {
    [`/api/v1/${plural}`]: {
      get: {
        operationId: `list_${plural.replace("-", "_")}`,
        tags: [tag],
        summary: `Every alert ${name}`,
        security: PERSON,
        responses: { "200": list(`The alert ${name}s`), ...errors() },
      },
      post: {
        operationId: `create_${plural.replace("-", "_")}`,
        tags: [tag],
        summary: `Create an alert ${name}`,
        description:
          name === "channel"
            ? "A webhook channel's signing secret is in this answer, as `secret`, and in no later one."
            : "The condition is validated now; it is evaluated every minute and after ingested batches.",
        security: PERSON,
        parameters: [IDEMPOTENCY_KEY],
        requestBody: { required: true, content: body },
        responses: {
          "201": versioned(`The new ${name}`),
          ...errors(400, 409, 413, 415, 422, 429),
        },
      },
    },
    [`/api/v1/${plural}/{id}`]: {
      get: {
        operationId: `get_${name}`,
        tags: [tag],
        summary: `One alert ${name}`,
        security: PERSON,
        parameters: [idParameter(name)],
        responses: { "200": versioned(`The ${name}`), ...errors(404) },
      },
      patch: {
        operationId: `update_${name}`,
        tags: [tag],
        summary: `Change an alert ${name}`,
        security: PERSON,
        parameters: [idParameter(name), IF_MATCH],
        requestBody: { required: true, content: body },
        responses: {
          "200": versioned(`The ${name} after the change`),
          ...errors(400, 404, 412, 413, 415, 429),
        },
      },
      delete: {
        operationId: `delete_${name}`,
        tags: [tag],
        summary: name === "channel" ? "Deactivate an alert channel" : "Delete an alert rule",
        security: PERSON,
        parameters: [idParameter(name), IF_MATCH],
        responses: { "204": NO_CONTENT, ...errors(400, 404, 412, 429) },
      },
    },
  };
}

export function alertApiPaths(): Record<string, JsonObject> {
  return {
    ...resource("rule", "alert-rules", "AlertRuleRequest", "alerts"),
    ...resource(
      "channel",
      "alert-channels",
      "AlertChannelRequest",
      "alerts",
      "AlertChannelDelivery",
    ),
    ...silencePaths(),
    "/api/v1/alerts": {
      get: {
        operationId: "listAlerts",
        tags: ["alerts"],
        summary: "Alerts firing and resolved, newest first",
        security: [{ personalToken: [] }, { apiKey: ["read"] }],
        parameters: [
          {
            name: "state",
            in: "query",
            required: false,
            description: "firing, acknowledged or resolved; both firing and resolved when absent",
            schema: { type: "string" },
          },
          {
            name: "limit",
            in: "query",
            required: false,
            description: "1 to 500, 100 when absent",
            schema: { type: "integer", minimum: 1, maximum: 500 },
          },
        ],
        responses: { "200": list("The alerts"), ...errors(400) },
      },
    },
    "/api/v1/alert-rules/backtest": {
      post: {
        operationId: "backtestAlertRule",
        tags: ["alerts"],
        summary: "How often a rule as written would have fired over the last 30 days",
        description:
          "Saves nothing. A kpi rule is read every 6 hours (its figure over its window), an exceptions rule every hour from the exceptions' opening and closing times; a breach fires once it has held for the rule's `for`. Other conditions answer 400.",
        security: PERSON,
        requestBody: { required: true, content: jsonBody("AlertRuleRequest") },
        responses: {
          "200": {
            description: "The backtest",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: [
                    "from",
                    "to",
                    "step",
                    "readings",
                    "firings",
                    "breachingReadings",
                    "dimensions",
                  ],
                  properties: {
                    from: { type: "string", format: "date-time" },
                    to: { type: "string", format: "date-time" },
                    step: { type: "string", example: "PT6H" },
                    readings: { type: "integer" },
                    firings: { type: "integer" },
                    breachingReadings: { type: "integer" },
                    dimensions: { type: "array", items: { type: "string" } },
                    firstFiringAt: { type: ["string", "null"], format: "date-time" },
                    lastFiringAt: { type: ["string", "null"], format: "date-time" },
                  },
                },
              },
            },
          },
          ...errors(400, 413, 415, 429),
        },
      },
    },
    "/api/v1/alerts/counts": {
      get: {
        operationId: "countAlerts",
        tags: ["alerts"],
        summary: "How many alerts are firing, and how many of those nobody acknowledged",
        security: [{ personalToken: [] }, { apiKey: ["read"] }],
        responses: {
          "200": {
            description: "The counts",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["firing", "unacknowledged"],
                  properties: {
                    firing: { type: "integer", minimum: 0 },
                    unacknowledged: { type: "integer", minimum: 0 },
                  },
                },
              },
            },
          },
          ...errors(),
        },
      },
    },
    "/api/v1/alerts/{id}/deliveries": {
      get: {
        operationId: "listAlertDeliveries",
        tags: ["alerts"],
        summary: "An alert's delivery log: each notice to each channel and every attempt at it",
        description:
          "Oldest notice first. A notice held by quiet hours or a group window has no attempt yet and says when it is due; a dead one (`deadLettered`) gets no further attempt.",
        security: [{ personalToken: [] }, { apiKey: ["read"] }],
        parameters: [idParameter("alert")],
        responses: {
          "200": {
            description: "The delivery log",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["alertId", "data"],
                  properties: {
                    alertId: { type: "string", format: "uuid" },
                    data: { type: "array", items: ref("AlertDelivery") },
                  },
                },
              },
            },
          },
          ...errors(404),
        },
      },
    },
    "/api/v1/alerts/{id}/acknowledge": {
      post: {
        operationId: "acknowledgeAlert",
        tags: ["alerts"],
        summary: "Acknowledge a firing alert with a comment",
        security: PERSON,
        description:
          "If-Match names the alert's `version` as GET /api/v1/alerts lists it: 412 once it has fired again, resolved or been acknowledged since.",
        parameters: [idParameter("alert"), ...WRITE_HEADERS],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["comment"],
                properties: { comment: { type: "string", minLength: 1 } },
              },
            },
          },
        },
        responses: { "204": NO_CONTENT, ...errors(400, 404, 409, 412, 413, 415, 422, 429) },
      },
    },
  };
}

/** Silences: whoever may acknowledge may silence a rule, or one dimension of it, until a time. */
function silencePaths(): Record<string, JsonObject> {
  return {
    "/api/v1/alert-silences": {
      get: {
        operationId: "listAlertSilences",
        tags: ["alerts"],
        summary: "The silences in force, those ending first first",
        security: PERSON,
        responses: { "200": list("The silences in force"), ...errors() },
      },
      post: {
        operationId: "createAlertSilence",
        tags: ["alerts"],
        summary: "Silence a rule, or one of its dimensions, until a time",
        description:
          "Alerts keep changing state under a silence; their notices are withheld. One still firing when the silence ends (or is lifted) is told again at the next evaluation. `until` is in the future and at most 90 days ahead.",
        security: PERSON,
        parameters: [IDEMPOTENCY_KEY],
        requestBody: { required: true, content: jsonBody("AlertSilenceRequest") },
        responses: {
          "201": versioned("The new silence"),
          ...errors(400, 404, 409, 413, 415, 422, 429),
        },
      },
    },
    "/api/v1/alert-silences/{id}": {
      get: {
        operationId: "getAlertSilence",
        tags: ["alerts"],
        summary: "One silence, in force or not",
        security: PERSON,
        parameters: [idParameter("silence")],
        responses: { "200": versioned("The silence"), ...errors(404) },
      },
      delete: {
        operationId: "liftAlertSilence",
        tags: ["alerts"],
        summary: "Lift a silence before its time",
        security: PERSON,
        parameters: [idParameter("silence"), IF_MATCH],
        responses: { "204": NO_CONTENT, ...errors(400, 404, 412, 429) },
      },
    },
  };
}
