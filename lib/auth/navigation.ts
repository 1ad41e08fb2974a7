import type { Role } from "@/db/schema";
import { can, type Permission } from "./permissions";

/** The areas of the app, in menu order, each shown only to roles with its permission. */
export const AREAS: { href: string; label: string; permission: Permission }[] = [
  { href: "/overview", label: "Overview", permission: "kpis:read" },
  { href: "/exceptions", label: "Exceptions", permission: "exceptions:read" },
  { href: "/incidents", label: "Incidents", permission: "exceptions:read" },
  { href: "/close", label: "Close", permission: "close:read" },
  { href: "/ingestion", label: "Ingestion", permission: "ingestion:read" },
  { href: "/alerts", label: "Alerts", permission: "alerts:read" },
  { href: "/admin", label: "Admin", permission: "admin:users" },
];

export function areasFor(role: Role) {
  return AREAS.filter((area) => can(role, area.permission));
}

/** Where a role lands after signing in: its first area. */
export function homeFor(role: Role): string {
  return areasFor(role)[0]?.href ?? "/sign-in";
}
