import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KPI_DEFINITIONS } from "@/lib/kpi/definitions";

/*
 * docs/kpis.md quotes the definitions the UI shows beside each tile (lib/kpi/definitions.ts).
 * When one is reworded, this fails until the page says the same, so the documentation and
 * the screen never explain a number differently.
 */

describe("docs/kpis.md", () => {
  it("quotes every KPI definition word for word", async () => {
    const doc = await readFile(path.join(process.cwd(), "docs", "kpis.md"), "utf8");
    for (const [name, definition] of Object.entries(KPI_DEFINITIONS)) {
      expect(doc, name).toContain(`**Definition:** ${definition}`);
    }
  });
});
