import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_TYPE_NAMES } from "@/lib/contract";
import { INGESTION_DOC_PATH, generateIngestionDoc } from "@/lib/contract/ingestion-doc";
import { buildOpenApiDocument } from "@/lib/contract/openapi";
import { pathTemplateFinder } from "@/lib/contract/path-templates";

/*
 * docs/ingestion.md is generated from the contract. When a schema, a limit or an example
 * changes, this fails until `npm run docs:contract` is run and the result committed, so the
 * page a sender reads never drifts from what the API enforces. docs/api.md is written by hand,
 * and shows a curl command for each operation the OpenAPI document has.
 */

describe("docs/ingestion.md", () => {
  it("is what `npm run docs:contract` generates from the current contract", async () => {
    const committed = await readFile(INGESTION_DOC_PATH, "utf8");
    const generated = await generateIngestionDoc();
    expect(committed, "docs/ingestion.md is out of date: run `npm run docs:contract`").toBe(
      generated,
    );
  });

  it("documents every event type with a curl example", async () => {
    const doc = await generateIngestionDoc();
    for (const type of EVENT_TYPE_NAMES) {
      const section = doc.split(`### \`${type}\``)[1]?.split("\n### ")[0] ?? "";
      expect(section, type).toContain("| Field");
      expect(section, type).toContain(`"type": "${type}"`);
      expect(section, type).toContain('curl -sS "$CLOSELINE_URL/api/v1/events"');
    }
  });
});

describe("docs/api.md", () => {
  it("has a curl example for every operation of the OpenAPI document, and none for another", async () => {
    const guide = await readFile(path.resolve(__dirname, "../../docs/api.md"), "utf8");
    // One command per curl, its continuation lines joined.
    const commands = guide
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .filter((line) => line.startsWith("curl "));
    const paths = buildOpenApiDocument().paths as Record<string, Record<string, unknown>>;
    const findTemplate = pathTemplateFinder(paths);
    const shown = new Set(
      commands.map((command) => {
        const method = /-X (\w+)/.exec(command)?.[1] ?? "GET";
        const path = /"\$CLOSELINE_URL(\/api\/v1\/[^"?]*)/.exec(command)?.[1] ?? command;
        return `${method} ${findTemplate(method, path) ?? `${path} (not in the document)`}`;
      }),
    );
    const operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((operation) => !shown.has(operation))).toEqual([]);
    expect([...shown].filter((operation) => !operations.includes(operation))).toEqual([]);
  });
});
