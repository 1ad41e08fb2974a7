import { ListIncidentsQuery } from "./incident-api";
import {
  PERSON_OR_READ_KEY,
  PERSON_OR_WORK_KEY,
  WRITE_ERRORS,
  WRITE_HEADERS,
  errors,
  idParameter,
  jsonAnswer,
  queryParameters,
  readOnePath,
  versionedAnswer,
} from "./work-openapi";

/*
 * Incidents as the OpenAPI document describes them; their answers are the zod schemas of
 * incident-api.ts (INCIDENT_SCHEMAS).
 */

export function incidentApiPaths() {
  return {
    "/api/v1/incidents": {
      get: {
        operationId: "listIncidents",
        tags: ["incidents"],
        summary: "Incidents, the most recently seen first",
        description:
          "Exceptions that share a cause: a failed posting's error code from one system for one entity within 24 hours of the incident's span, one usage source's incomplete windows within 24 hours of each other, one reconciliation run's breaks. Keyset pagination: follow nextCursor until it is null.",
        security: PERSON_OR_READ_KEY,
        parameters: queryParameters(ListIncidentsQuery),
        responses: {
          "200": jsonAnswer("A page of incidents", "IncidentList"),
          ...errors(400),
        },
      },
    },
    "/api/v1/incidents/{id}": readOnePath(
      "incident",
      "One incident with its members and blast radius",
      versionedAnswer("The incident", "IncidentDetail"),
    ),
    "/api/v1/incidents/{id}/retry": {
      post: {
        operationId: "retryIncident",
        tags: ["incidents"],
        summary: "Retry every member that can be retried",
        description:
          "Asks for a retry of each open failed ERP posting among the members, each in its own transaction with its own result, as POST /api/v1/exceptions/{id}/retry does; a member already retried for its failed attempt answers already_requested. 409 when no member can be retried.",
        security: PERSON_OR_WORK_KEY,
        parameters: [idParameter("incident"), ...WRITE_HEADERS],
        responses: {
          "200": versionedAnswer(
            "The incident after the retry, and one result per retried member",
            "IncidentRetryResult",
          ),
          ...errors(...WRITE_ERRORS),
        },
      },
    },
  };
}
