import { buildOpenApiDocument } from "@/lib/contract/openapi";
import { expectDocumented } from "../api/contract";

const document = buildOpenApiDocument() as unknown as {
  paths: Record<string, Record<string, unknown>>;
};
const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

/** The documented operation a request is, as [method, path template], or null. */
function operationOf(request: Request): [string, string] | null {
  const path = new URL(request.url).pathname;
  const found = templates.find(({ pattern }) => pattern.test(path));
  if (!found || !document.paths[found.template]?.[request.method.toLowerCase()]) return null;
  return [request.method, found.template];
}

/** Fails the test unless the document gives this answer to this request. */
export async function checkDocumentedAnswer(request: Request, response: Response): Promise<void> {
  const operation = operationOf(request);
  if (!operation || operation[1] === "/api/v1/openapi.json") return;
  const isJson = (response.headers.get("content-type") ?? "").startsWith("application/json");
  const text = isJson ? await response.clone().text() : "";
  expectDocumented(operation[0], operation[1], response.status, text ? JSON.parse(text) : null);
}
