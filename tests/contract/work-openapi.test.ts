import fs from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/contract/openapi";
import { documentedOperation, expectDocumented } from "../api/contract";

/*
 * The served document passes a standard OpenAPI 3.1 validator (the specification's own JSON
 * Schema), and documents every /api/v1 route handler there is. The response check the
 * integration tests use refuses what the document does not say.
 */

const document = buildOpenApiDocument();

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(JSON.parse(JSON.stringify(document)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("documents every /api/v1 route handler, method by method", () => {
    const root = path.resolve(__dirname, "../../app/api/v1");
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? walk(full) : e.name === "route.ts" ? [full] : [];
      });
    const missing = walk(root).flatMap((file) => {
      const route = `/api/v1/${path.relative(root, path.dirname(file)).split(path.sep).join("/")}`
        .replace(/\[([^\]]+)\]/g, "{$1}")
        .replace(/\/$/, "");
      const source = fs.readFileSync(file, "utf8");
      return ["GET", "POST"]
        .filter((m) => new RegExp(`export (const|async function|function) ${m}\\b`).test(source))
        .filter(
          (m) => !(document.paths as Record<string, object>)[route]?.[m.toLowerCase() as never],
        )
        .map((m) => `${m} ${route}`);
    });
    expect(missing).toEqual([]);
  });

  it("documents 429 on every write, and Retry-After with every 429 and 503", () => {
    type Answer = { headers?: Record<string, { schema: { type: string } }> };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { responses: Record<string, Answer> }>).map(
        ([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, method, operation }),
      ),
    );
    const writes = operations.filter(({ method }) => method !== "get");
    expect(writes.length).toBeGreaterThan(20);
    expect(
      writes.filter(({ operation }) => !operation.responses["429"]).map((w) => w.name),
    ).toEqual([]);
    const withoutRetryAfter = operations.flatMap(({ name, operation }) =>
      ["429", "503"]
        .filter((status) => operation.responses[status])
        .filter(
          (status) =>
            operation.responses[status]!.headers?.["Retry-After"]?.schema.type !== "integer",
        )
        .map((status) => `${name} ${status}`),
    );
    expect(withoutRetryAfter).toEqual([]);
  });

  it("names the operation a request is, a literal segment before a parameter", () => {
    const at = (method: string, path: string) =>
      documentedOperation(method, `http://closeline.test${path}`);
    expect(at("POST", "/api/v1/exceptions/bulk")).toEqual(["POST", "/api/v1/exceptions/bulk"]);
    expect(at("GET", "/api/v1/exceptions/counts")).toEqual(["GET", "/api/v1/exceptions/counts"]);
    expect(at("GET", "/api/v1/exceptions/E-1")).toEqual(["GET", "/api/v1/exceptions/{id}"]);
    expect(at("POST", "/api/v1/exceptions/E-1")).toBeNull();
  });

  it("the response check refuses an undocumented status and a body off its schema", () => {
    expect(() => expectDocumented("GET", "/api/v1/corrections/{id}", 418, {})).toThrow(
      /documents status 418/,
    );
    expect(() =>
      expectDocumented("POST", "/api/v1/exceptions/bulk", 200, { succeeded: "all" }),
    ).toThrow();
    expect(() =>
      expectDocumented("POST", "/api/v1/exceptions/{id}/start", 412, {
        error: { code: "precondition_failed", message: "changed" },
      }),
    ).not.toThrow();
  });
});
