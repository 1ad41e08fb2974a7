import { describe, expect, it } from "vitest";
import { showsGlobalFilters } from "@/lib/filters/applies";

/* The shell's entity and time-range bar is left out where an area has pickers of its own. */

describe("showsGlobalFilters", () => {
  it("leaves the bar out of the Close section, portfolio and checklist alike", () => {
    expect(showsGlobalFilters("/close")).toBe(false);
    expect(showsGlobalFilters("/close/anything")).toBe(false);
  });

  it("keeps it where the entity and time range apply, and on look-alike paths", () => {
    for (const path of ["/overview", "/exceptions", "/ingestion", "/closed", "/closeline"]) {
      expect(showsGlobalFilters(path), path).toBe(true);
    }
  });
});
