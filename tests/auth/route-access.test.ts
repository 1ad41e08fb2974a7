import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ROLES, type Role } from "@/db/schema";
import { can } from "@/lib/auth/permissions";
import { ROUTE_ACCESS, type AccessRule } from "@/lib/auth/route-access";

/*
 * Every page and API route must have an access rule, and must check it itself. These tests
 * read the app/ folder, so adding a route without a rule (or without its guard) fails here.
 */

const APP_DIR = path.resolve(__dirname, "../../app");
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** app/(app)/admin/users/page.tsx → /admin/users; route groups in parentheses vanish. */
function routeOf(file: string): string {
  const segments = path
    .relative(APP_DIR, path.dirname(file))
    .split(path.sep)
    .filter((s) => s && !(s.startsWith("(") && s.endsWith(")")));
  return `/${segments.join("/")}`;
}

const files = walk(APP_DIR);
const pages = files
  .filter((f) => /\/page\.tsx$/.test(f))
  .map((file) => ({ file, route: routeOf(file) }));
const handlers = files
  .filter((f) => /\/route\.ts$/.test(f))
  .flatMap((file) => {
    const source = fs.readFileSync(file, "utf8");
    const methods = HTTP_METHODS.filter((m) =>
      new RegExp(`export (const|async function|function) ${m}\\b|as ${m}\\b`).test(source),
    );
    return methods.map((method) => ({ file, method, route: routeOf(file), source }));
  });

function ruleKeyFor(route: string, method: string): string | null {
  if (ROUTE_ACCESS[`${method} ${route}`]) return `${method} ${route}`;
  if (ROUTE_ACCESS[route]) return route;
  return null;
}

describe("every route has an access rule", () => {
  test.each(pages)("page $route", ({ route }) => {
    expect(ROUTE_ACCESS[route], `add "${route}" to lib/auth/route-access.ts`).toBeDefined();
  });

  test.each(handlers)("$method $route", ({ route, method }) => {
    expect(
      ruleKeyFor(route, method),
      `add "${method} ${route}" to lib/auth/route-access.ts`,
    ).not.toBeNull();
  });

  test("no rule names a route that does not exist", () => {
    const known = new Set([
      ...pages.map((p) => p.route),
      ...handlers.flatMap((h) => [h.route, `${h.method} ${h.route}`]),
    ]);
    const stale = Object.keys(ROUTE_ACCESS).filter((key) => !known.has(key));
    expect(stale).toEqual([]);
  });
});

describe("every route checks its own rule", () => {
  test.each(pages)("page $route calls guardPage with its route", ({ file, route }) => {
    const source = fs.readFileSync(file, "utf8");
    expect(source).toContain(`guardPage("${route}")`);
  });

  const guarded = handlers.filter(
    ({ route, method }) => typeof ROUTE_ACCESS[ruleKeyFor(route, method)!] === "object",
  );
  test.each(guarded)(
    "$method $route calls guardApi with its rule",
    ({ route, method, source, file }) => {
      // The guard may sit in the lib/ handler the route delegates to.
      const delegated = [...source.matchAll(/from "@\/(lib\/[^"]+)"/g)]
        .map((m) => path.resolve(__dirname, "../..", `${m[1]}.ts`))
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f, "utf8"));
      const key = ruleKeyFor(route, method)!;
      const checks = [source, ...delegated].some(
        (text) => text.includes(`"${key}"`) && text.includes("guardApi"),
      );
      expect(checks, `${file} must call guardApi(db, request, "${key}")`).toBe(true);
    },
  );
});

/*
 * The role matrix, written out by hand as the specification. A change of PERMISSIONS that
 * widens or narrows a role's access must change this table too.
 */
const Y = true;
const N = false;
const EXPECTED: Record<string, Record<Role, boolean>> = {
  "/overview": { executive: Y, finance: Y, operations: N, admin: Y },
  "/overview/[kpi]": { executive: Y, finance: Y, operations: N, admin: Y },
  "/close": { executive: Y, finance: Y, operations: N, admin: Y },
  "/threads/invoice/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "/threads/customer/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "/threads/contract/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "/exceptions": { executive: N, finance: Y, operations: Y, admin: Y },
  "/exceptions/[id]": { executive: N, finance: Y, operations: Y, admin: Y },
  "/incidents": { executive: N, finance: Y, operations: Y, admin: Y },
  "/incidents/[id]": { executive: N, finance: Y, operations: Y, admin: Y },
  "/ingestion": { executive: N, finance: Y, operations: Y, admin: Y },
  "/admin": { executive: N, finance: N, operations: N, admin: Y },
  "/admin/users": { executive: N, finance: N, operations: N, admin: Y },
  "/admin/api-keys": { executive: N, finance: N, operations: N, admin: Y },
  "/admin/audit": { executive: N, finance: N, operations: N, admin: Y },
  "/admin/settings": { executive: N, finance: N, operations: N, admin: Y },
  "/admin/webhooks": { executive: N, finance: N, operations: N, admin: Y },
  "GET /api/v1/events": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/kpis": { executive: Y, finance: Y, operations: N, admin: Y },
  "GET /api/v1/exceptions": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/exceptions/counts": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/exceptions.csv": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/exceptions/[id]": { executive: N, finance: Y, operations: Y, admin: Y },
  "POST /api/v1/exceptions/[id]/assign": { executive: N, finance: Y, operations: Y, admin: N },
  "POST /api/v1/exceptions/[id]/start": { executive: N, finance: Y, operations: Y, admin: N },
  "POST /api/v1/exceptions/[id]/comments": { executive: N, finance: Y, operations: Y, admin: N },
  "POST /api/v1/exceptions/[id]/retry": { executive: N, finance: Y, operations: Y, admin: N },
  "POST /api/v1/exceptions/[id]/resolve": { executive: N, finance: Y, operations: Y, admin: N },
  "POST /api/v1/exceptions/[id]/dismiss": { executive: N, finance: Y, operations: Y, admin: N },
  "POST /api/v1/exceptions/[id]/replay": { executive: N, finance: Y, operations: Y, admin: N },
  "POST /api/v1/exceptions/[id]/dismiss-events": {
    executive: N,
    finance: Y,
    operations: Y,
    admin: N,
  },
  "POST /api/v1/exceptions/[id]/corrections": { executive: N, finance: Y, operations: Y, admin: N },
  "POST /api/v1/exceptions/bulk": { executive: N, finance: Y, operations: Y, admin: N },
  "GET /api/v1/corrections": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/corrections/[id]": { executive: N, finance: Y, operations: Y, admin: Y },
  "POST /api/v1/corrections/[id]/approve": { executive: N, finance: Y, operations: N, admin: N },
  "POST /api/v1/corrections/[id]/reject": { executive: N, finance: Y, operations: N, admin: N },
  "GET /api/v1/close-readiness": { executive: Y, finance: Y, operations: N, admin: Y },
  "GET /api/v1/threads/invoice/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/threads/customer/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/threads/contract/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/search": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/incidents": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/incidents/[id]": { executive: N, finance: Y, operations: Y, admin: Y },
  "POST /api/v1/incidents/[id]/retry": { executive: N, finance: Y, operations: Y, admin: N },
  "GET /api/v1/fx-rates": { executive: N, finance: Y, operations: Y, admin: Y },
  "POST /api/v1/fx-rates": { executive: N, finance: N, operations: N, admin: Y },
  "GET /api/v1/close-readiness.csv": { executive: Y, finance: Y, operations: N, admin: Y },
  "/alerts": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/alerts": { executive: Y, finance: Y, operations: Y, admin: Y },
  "POST /api/v1/alerts/[id]/acknowledge": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/alerts/[id]/deliveries": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/alerts/counts": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/alert-silences": { executive: Y, finance: Y, operations: Y, admin: Y },
  "POST /api/v1/alert-silences": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/alert-silences/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "DELETE /api/v1/alert-silences/[id]": { executive: N, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/alert-rules": { executive: Y, finance: Y, operations: Y, admin: Y },
  "POST /api/v1/alert-rules": { executive: N, finance: Y, operations: N, admin: Y },
  "POST /api/v1/alert-rules/backtest": { executive: N, finance: Y, operations: N, admin: Y },
  "GET /api/v1/alert-rules/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/alert-channels/[id]": { executive: N, finance: Y, operations: N, admin: Y },
  "PATCH /api/v1/alert-channels/[id]": { executive: N, finance: Y, operations: N, admin: Y },
  "DELETE /api/v1/alert-channels/[id]": { executive: N, finance: Y, operations: N, admin: Y },
  "GET /api/v1/digests": { executive: Y, finance: Y, operations: Y, admin: Y },
  "POST /api/v1/digests": { executive: Y, finance: Y, operations: Y, admin: Y },
  "GET /api/v1/digests/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "PATCH /api/v1/digests/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "DELETE /api/v1/digests/[id]": { executive: Y, finance: Y, operations: Y, admin: Y },
  "PATCH /api/v1/alert-rules/[id]": { executive: N, finance: Y, operations: N, admin: Y },
  "DELETE /api/v1/alert-rules/[id]": { executive: N, finance: Y, operations: N, admin: Y },
  "GET /api/v1/alert-channels": { executive: N, finance: Y, operations: N, admin: Y },
  "POST /api/v1/alert-channels": { executive: N, finance: Y, operations: N, admin: Y },
  "POST /api/v1/reconciliation-results/upload": {
    executive: N,
    finance: Y,
    operations: Y,
    admin: Y,
  },
};

function sessionAllowed(rule: AccessRule, role: Role): boolean {
  if (rule === "public" || rule === "signed-in") return true;
  if (rule === "internal") return false;
  if ("permission" in rule) return can(role, rule.permission);
  return rule.orPermission ? can(role, rule.orPermission) : false;
}

describe("role matrix", () => {
  const cases = Object.entries(ROUTE_ACCESS).flatMap(([route, rule]) =>
    ROLES.map((role) => ({ route, role, rule })),
  );
  test.each(cases)("$role on $route", ({ route, role, rule }) => {
    const expected = EXPECTED[route]?.[role];
    if (typeof rule === "object" && !("apiKey" in rule && !rule.orPermission)) {
      expect(expected, `add "${route}" to the expected role matrix in this test`).toBeDefined();
    }
    if (expected !== undefined) expect(sessionAllowed(rule, role)).toBe(expected);
  });

  test("only finance approves corrections; operations may propose", () => {
    expect(ROLES.filter((r) => can(r, "corrections:approve"))).toEqual(["finance"]);
    expect(ROLES.filter((r) => can(r, "corrections:propose")).sort()).toEqual([
      "finance",
      "operations",
    ]);
  });
});
