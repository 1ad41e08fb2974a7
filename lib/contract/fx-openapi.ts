import { ListFxRatesQuery } from "./fx-api";
import {
  PERSON_OR_READ_KEY,
  WRITE_HEADERS,
  errors,
  jsonAnswer,
  jsonBody,
  queryParameters,
} from "./work-openapi";

/*
 * Exchange rates as the OpenAPI document describes them; their bodies are the zod schemas of
 * fx-api.ts (FX_SCHEMAS).
 */

/** Idempotency-Key: a rate is entered, not a versioned item changed, so there is no If-Match. */
const IDEMPOTENCY_KEY = WRITE_HEADERS.filter((header) => header.name === "Idempotency-Key");

export function fxApiPaths() {
  return {
    "/api/v1/fx-rates": {
      get: {
        operationId: "listFxRates",
        tags: ["fx-rates"],
        summary: "Exchange rates, the newest effective day first",
        description:
          "Every stored rate, from fx.rate events and from admins, within a day by pair. A rate applies from its effectiveDate until the pair's next one; Closeline never inverts a rate (a USD→EUR rate does not convert EUR into USD). Keyset pagination: follow nextCursor until it is null.",
        security: PERSON_OR_READ_KEY,
        parameters: queryParameters(ListFxRatesQuery),
        responses: {
          "200": jsonAnswer("A page of rates", "FxRateList"),
          ...errors(400),
        },
      },
      post: {
        operationId: "enterFxRate",
        tags: ["fx-rates"],
        summary: "Enter a rate for a pair from a day on",
        description:
          "As an admin does on the settings page (admin:settings): the rate is an exact decimal string above zero, it replaces any rate of that pair and day (an event's too), the exceptions it now applies to are converted again, and the audit log records the rate before and after.",
        security: [{ personalToken: [] }],
        parameters: IDEMPOTENCY_KEY,
        requestBody: { required: true, content: jsonBody("FxRateRequest") },
        responses: {
          "201": jsonAnswer("The rate, new for its pair and day", "FxRateEntered"),
          "200": jsonAnswer(
            "The rate, replacing the one of its pair and day (see replaced)",
            "FxRateEntered",
          ),
          ...errors(400, 409, 413, 415, 422, 429),
        },
      },
    },
  };
}
