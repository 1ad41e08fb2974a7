import { vi } from "vitest";
import type * as Respond from "@/lib/http/respond";

/*
 * Every answer an integration test receives from a /api/v1 handler is held to the OpenAPI
 * document: the handlers are wrapped as they are built (`handle`), and each answer to a
 * documented operation must have a status the document lists for it and, for JSON, a body
 * its schema accepts. A test that provokes an answer the document does not give fails there.
 */

vi.mock("@/lib/http/respond", async (importOriginal) => {
  const actual = await importOriginal<typeof Respond>();
  return {
    ...actual,
    handle<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
      const handler = actual.handle(fn);
      return async (...args: A): Promise<Response> => {
        const response = await handler(...args);
        const request = args.find((arg): arg is Request => arg instanceof Request);
        // Imported at the first answer: the document's modules import this one themselves.
        const { checkDocumentedAnswer } = await import("./answer-check");
        if (request) await checkDocumentedAnswer(request, response);
        return response;
      };
    },
  };
});
