import { describe, expect, it } from "vitest";
import { filteredViewPath } from "@/lib/alerts/view-link";
import { AlertCondition } from "@/lib/contract/alert-rules";

/* Each condition's alert links to the page it is about, filtered to the alert's dimension. */

const condition = (c: unknown) => AlertCondition.parse(c);
const KPI = condition({
  kind: "kpi",
  metric: "eventLag.p95Ms",
  op: ">",
  value: 1,
  window: "P1D",
});

describe("the filtered view of an alert", () => {
  it("names the entity, type or entity-month the alert is about", () => {
    expect(filteredViewPath(KPI, null, "")).toBe("/overview");
    expect(filteredViewPath(KPI, "*", "ACME US")).toBe("/overview?entity=ACME+US");
    expect(
      filteredViewPath(
        condition({ kind: "exceptions", type: "invoice_disputed", atLeast: 2 }),
        "*",
        "EU",
      ),
    ).toBe("/exceptions?type=invoice_disputed&entity=EU");
    expect(
      filteredViewPath(
        condition({ kind: "exceptions", trigger: "new", severity: "high" }),
        "EU",
        "erp_posting_failed: P-1",
      ),
    ).toBe("/exceptions?type=erp_posting_failed&entity=EU");
    expect(
      filteredViewPath(condition({ kind: "exceptions", trigger: "sla_breach" }), null, ""),
    ).toBe("/exceptions");
    expect(
      filteredViewPath(condition({ kind: "close", withinDays: 2 }), null, "ACME US 2025-05"),
    ).toBe("/close?entity=ACME+US&period=2025-05");
    expect(
      filteredViewPath(condition({ kind: "silence" }), null, "/erp / erp.posting.attempted"),
    ).toBe("/ingestion#health");
  });
});
