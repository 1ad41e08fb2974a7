import { describe, expect, it } from "vitest";
import { ROUTE_ACCESS } from "@/lib/auth/route-access";
import { FILTERS_BY_ROUTE, shellFiltersFor } from "@/lib/filters/applicability";

describe("the shell shows a filter only above pages that read it", () => {
  it.each([
    ["/overview", ["entity", "range"]],
    ["/overview/invoice-latency", ["entity", "range"]],
    ["/ingestion", ["range"]],
    ["/exceptions", ["entity"]],
  ])("%s shows %j", (path, filters) => {
    expect(shellFiltersFor(path)).toEqual(filters);
  });

  it.each([
    "/admin/users",
    "/admin/api-keys",
    "/admin/audit",
    "/admin/settings",
    "/admin/webhooks",
    "/profile",
    "/close",
    "/exceptions/3f7d6a3e-0000-4000-8000-000000000000",
    "/events/42",
    "/no-such-page",
  ])("%s shows none", (path) => {
    expect(shellFiltersFor(path)).toEqual([]);
  });

  it("names only pages that exist, so a renamed page cannot silently lose its filters", () => {
    for (const route of Object.keys(FILTERS_BY_ROUTE)) {
      expect(ROUTE_ACCESS).toHaveProperty([route]);
    }
  });
});
