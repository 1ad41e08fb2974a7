import type { Db } from "@/db/client";
import { getExceptionTimeline, type Timeline } from "@/db/queries/exception-timeline";
import { getException, type ExceptionDetail } from "@/db/queries/exception-detail";
import { listActiveUsersWithRoles } from "@/db/queries/users";
import { ROLES } from "@/db/schema";
import { can } from "@/lib/auth/permissions";

export type { ExceptionDetail } from "@/db/queries/exception-detail";
export type { Timeline, TimelineItem } from "@/db/queries/exception-timeline";

/** The detail view's data: the exception and its timeline, or null when there is no such exception. */
export async function loadExceptionDetail(
  db: Db,
  id: string,
): Promise<{ exception: ExceptionDetail; timeline: Timeline } | null> {
  const exception = await getException(db, id);
  if (!exception) return null;
  return { exception, timeline: await getExceptionTimeline(db, exception) };
}

export interface Assignee {
  id: string;
  label: string;
}

/** The people an exception can be given to: active users whose role may work exceptions. */
export async function listAssignees(db: Db): Promise<Assignee[]> {
  const roles = ROLES.filter((role) => can(role, "exceptions:work"));
  const users = await listActiveUsersWithRoles(db, roles);
  return users.map((u) => ({ id: u.id, label: u.name ? `${u.name} (${u.email})` : u.email }));
}
