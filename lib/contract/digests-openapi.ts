import type { z } from "zod";
import { DigestChange, DigestInput, DigestMessage } from "./digests";
import { NO_CONTENT, PERSON, list, object } from "./alerts-openapi";
import { errors, idParameter, jsonBody, readOnePath } from "./work-openapi";

/*
 * The digest API's part of the OpenAPI document: a person's own digests, by session or
 * personal token. Request bodies are the zod schemas the handlers parse with.
 */

type JsonObject = Record<string, unknown>;

export const DIGEST_SCHEMAS: Record<string, z.ZodType> = {
  DigestRequest: DigestInput,
  DigestChange,
  DigestMessage,
};

export function digestApiPaths(): Record<string, JsonObject> {
  return {
    "/api/v1/digests": {
      get: {
        operationId: "listDigests",
        tags: ["digests"],
        summary: "Your digests, newest first",
        security: PERSON,
        responses: {
          "200": list("Your digests"),
          ...errors(),
        },
      },
      post: {
        operationId: "createDigest",
        tags: ["digests"],
        summary: "Subscribe to a daily or weekly digest",
        description:
          "Sent at `time` in `timeZone` (daylight saving followed), to your own address, or with alerts:manage to a Slack, Teams, e-mail or webhook alert channel (`channelId`; a PagerDuty channel answers 400). A webhook channel receives `DigestMessage`, signed like alert notices. The first digest goes at the next occurrence after now.",
        security: PERSON,
        requestBody: { required: true, content: jsonBody("DigestRequest") },
        responses: { "201": object("The new digest"), ...errors(400, 413, 415, 429) },
      },
    },
    "/api/v1/digests/{id}": {
      ...readOnePath("digest", "One of your digests", object("The digest"), PERSON),
      patch: {
        operationId: "updateDigest",
        tags: ["digests"],
        summary: "Change one of your digests",
        description: "Fields left out stay as they are; a changed schedule starts from now.",
        security: PERSON,
        parameters: [idParameter("digest")],
        requestBody: { required: true, content: jsonBody("DigestChange") },
        responses: {
          "200": object("The digest after the change"),
          ...errors(400, 404, 413, 415, 429),
        },
      },
      delete: {
        operationId: "deleteDigest",
        tags: ["digests"],
        summary: "Unsubscribe: delete one of your digests",
        security: PERSON,
        parameters: [idParameter("digest")],
        responses: { "204": NO_CONTENT, ...errors(404, 429) },
      },
    },
  };
}
