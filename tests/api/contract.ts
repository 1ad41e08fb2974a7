import { createRequire } from "node:module";
import { expect } from "vitest";
import { buildOpenApiDocument } from "@/lib/contract/openapi";
import { pathTemplateFinder } from "@/lib/contract/path-templates";

/*
 * Checks real answers against the OpenAPI document the API serves: the status must be one
 * the document lists for the operation, and the body must match the schema it gives. The
 * JSON Schema validator is Ajv 8 (2020-12, as OpenAPI 3.1 uses), taken from the OpenAPI
 * validator's own dependencies: the top-level ajv is eslint's Ajv 6, which has no 2020-12.
 */

const requireFromValidator = createRequire(require.resolve("@seriousme/openapi-schema-validator"));
type AjvInstance = {
  addSchema(schema: object, key: string): void;
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown };
};
const Ajv2020 = requireFromValidator("ajv/dist/2020").default as new (
  options: object,
) => AjvInstance;
const addFormats = requireFromValidator("ajv-formats").default as (ajv: AjvInstance) => void;

const document = buildOpenApiDocument() as unknown as {
  paths: Record<string, Record<string, { responses: Record<string, ResponseSpec> }>>;
};
type ResponseSpec = { content?: Record<string, { schema: object }> };

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, "openapi.json");
const compiled = new Map<string, ReturnType<AjvInstance["compile"]>>();

/** Fails the test unless the answer is one the document says this operation gives. */
export function expectDocumented(
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
): void {
  const operation = document.paths[pathTemplate]?.[method.toLowerCase()];
  expect(operation, `${method} ${pathTemplate} is in the OpenAPI document`).toBeDefined();
  const response = operation!.responses[String(status)];
  expect(response, `${method} ${pathTemplate} documents status ${status}`).toBeDefined();
  const schema = response!.content?.["application/json"]?.schema as { $ref?: string } | undefined;
  if (!schema) return;
  const key = schema.$ref ?? JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(
      schema.$ref ? { $ref: `openapi.json${schema.$ref}` } : (schema as object),
    );
    compiled.set(key, validate);
  }
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${method} ${pathTemplate} ${status} body`).toEqual([]);
}

const findTemplate = pathTemplateFinder(document.paths as Record<string, Record<string, unknown>>);

/** The documented operation a concrete request is, as [method, path template], or null. */
export function documentedOperation(method: string, url: string): [string, string] | null {
  const template = findTemplate(method, new URL(url).pathname);
  return template ? [method, template] : null;
}
