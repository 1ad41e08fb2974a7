import type { Role } from "@/db/schema";

export type { Role };

/*
 * Who may do what. This table is the only place a role is mapped to a capability; pages,
 * server actions, API routes and the navigation all ask `can(role, permission)`.
 */
export const PERMISSIONS = {
  /** KPIs on the overview and their drill-downs. */
  "kpis:read": ["executive", "finance", "admin"],
  "close:read": ["executive", "finance", "admin"],
  /** Revenue threads and search: whoever reads KPIs or exceptions follows an id to its story. */
  "threads:read": ["executive", "operations", "finance", "admin"],
  /** Marking accounting periods closed and setting materiality. */
  "close:manage": ["finance", "admin"],
  "ingestion:read": ["operations", "finance", "admin"],
  "exceptions:read": ["operations", "finance", "admin"],
  "exceptions:work": ["operations", "finance"],
  "corrections:propose": ["operations", "finance"],
  "corrections:approve": ["finance"],
  /** Alerts and their history; acknowledging one; writing rules and channels. */
  "alerts:read": ["executive", "operations", "finance", "admin"],
  "alerts:acknowledge": ["operations", "finance", "admin"],
  "alerts:manage": ["finance", "admin"],
  /** Digests to one's own address; a digest to a channel also needs alerts:manage. */
  "digests:own": ["executive", "operations", "finance", "admin"],
  "admin:users": ["admin"],
  "admin:api-keys": ["admin"],
  "admin:audit": ["admin"],
  "admin:settings": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
