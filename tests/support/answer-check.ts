import { documentedOperation, expectDocumented } from "../api/contract";

/** Fails the test unless the document gives this answer to this request. */
export async function checkDocumentedAnswer(request: Request, response: Response): Promise<void> {
  const operation = documentedOperation(request.method, request.url);
  if (!operation || operation[1] === "/api/v1/openapi.json") return;
  const isJson = (response.headers.get("content-type") ?? "").startsWith("application/json");
  const text = isJson ? await response.clone().text() : "";
  expectDocumented(operation[0], operation[1], response.status, text ? JSON.parse(text) : null);
}
