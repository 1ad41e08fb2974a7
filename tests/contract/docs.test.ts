import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { EVENT_TYPE_NAMES } from "@/lib/contract";
import { INGESTION_DOC_PATH, generateIngestionDoc } from "@/lib/contract/ingestion-doc";

/*
 * docs/ingestion.md is generated from the contract. When a schema, a limit or an example
 * changes, this fails until `npm run docs:contract` is run and the result committed, so the
 * page a sender reads never drifts from what the API enforces.
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
