import "server-only";
import { inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { exceptions } from "../schema";
import {
  REPORTING_COLUMNS,
  isoText,
  toDate,
  toListRow,
  type ExceptionListRow,
  type RawListRow,
} from "./exception-rows";

/*
 * One exception: whether it exists, its detail with owner and closer, its current version,
 * its comments, and the people it can be assigned to.
 */

export interface ExceptionDetail extends Omit<ExceptionListRow, "key"> {
  problemKey: string;
  details: Record<string, unknown>;
  closedBy: string | null;
  closedByEmail: string | null;
  resolutionNote: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether there is an exception with this id (anything that is not a uuid is none). */
export async function exceptionExists(db: Db, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from exceptions where id = ${id}::uuid`,
  );
  return rows.length > 0;
}

/** One exception with its owner, or null (also for a malformed id, which names nothing). */
export async function getException(db: Db, id: string): Promise<ExceptionDetail | null> {
  if (!UUID.test(id)) return null;
  const [r] = await queryRows<
    RawListRow & {
      problem_key: string;
      details: Record<string, unknown> | string;
      closed_by: string | null;
      closed_by_email: string | null;
      resolution_note: string | null;
    }
  >(
    db,
    sql`select x.*, ${REPORTING_COLUMNS}, u.email as owner_email, u.name as owner_name, null::text as sort_key,
          ${isoText("x.opened_at")} as opened_at_key, c.email as closed_by_email
        from exceptions x
          left join users u on u.id = x.owner_id
          left join users c on c.id = case when x.closed_by ~* '^[0-9a-f-]{36}$' then x.closed_by::uuid end
        where x.id = ${id}::uuid`,
  );
  if (!r) return null;
  const { key: _key, ...row } = toListRow(r);
  return {
    ...row,
    problemKey: r.problem_key,
    details:
      typeof r.details === "string"
        ? (JSON.parse(r.details) as Record<string, unknown>)
        : r.details,
    closedBy: r.closed_by,
    closedByEmail: r.closed_by_email,
    resolutionNote: r.resolution_note,
  };
}

export async function insertComment(
  db: Db,
  /** A person writes it (authorId), or a service key (authorKeyId): exactly one of them. */
  comment: {
    exceptionId: string;
    authorId: string | null;
    authorKeyId?: string | null;
    body: string;
  },
): Promise<{ id: number; createdAt: Date }> {
  const [row] = await queryRows<{ id: string | number; created_at: Date | string }>(
    db,
    sql`insert into exception_comments (exception_id, author_id, author_key_id, body)
        values (${comment.exceptionId}::uuid, ${comment.authorId}::uuid,
                ${comment.authorKeyId ?? null}::uuid, ${comment.body})
        returning id, created_at`,
  );
  return { id: Number(row!.id), createdAt: toDate(row!.created_at) };
}

/** The current version of each of these exceptions that exists (ids must be uuids). */
export async function exceptionVersions(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: exceptions.id, version: exceptions.version })
    .from(exceptions)
    .where(inArray(exceptions.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.version]));
}
