import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { TableRegion } from "@/components/table/table-region";
import { DateTime } from "@/components/ui/date-time";
import { describeAudit, type DescribedAudit } from "@/lib/audit-describe";
import { AuditFilters, auditPage } from "@/lib/audit-query";
import { guardPage } from "@/lib/auth/session";
import { getUserTimeZone } from "@/lib/server/time-zone";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await guardPage("/admin/audit");
  const filters = AuditFilters.parse(await searchParams);
  const [{ entries, olderCursor }, timeZone] = await Promise.all([
    auditPage(await getDb(), filters),
    getUserTimeZone(),
  ]);
  const olderHref = olderCursor
    ? `/admin/audit?${new URLSearchParams({
        ...(filters.action ? { action: filters.action } : {}),
        ...(filters.actor ? { actor: filters.actor } : {}),
        ...(filters.target ? { target: filters.target } : {}),
        before: olderCursor,
      })}`
    : null;
  return (
    <>
      <h1>Admin</h1>
      <AdminTabs current="/admin/audit" />
      <section className="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading">Audit log</h2>
        <p className="muted">
          Append-only: entries cannot be changed or deleted, by the app or in the database.
        </p>
        <form className="form-row" method="get" role="search" aria-label="Filter the audit log">
          <label className="field">
            Action starts with
            <input
              name="action"
              defaultValue={filters.action ?? ""}
              placeholder="e.g. auth.sign_in"
            />
          </label>
          <label className="field">
            Actor
            <input name="actor" defaultValue={filters.actor ?? ""} placeholder="email or id" />
          </label>
          <label className="field">
            Target id
            <input name="target" defaultValue={filters.target ?? ""} />
          </label>
          <button type="submit">Filter</button>
          <Link className="button" href="/admin/audit">
            Clear
          </Link>
        </form>
        {entries.length === 0 ? (
          <p className="muted">No entries match these filters.</p>
        ) : (
          <TableRegion label="Audit log entries">
            <table className="data stack" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => {
                  const described = describeAudit(entry, timeZone);
                  return (
                    <tr key={entry.id} data-action={entry.action}>
                      <td className="nowrap" data-label="Time">
                        <DateTime value={entry.at} />
                      </td>
                      <td data-label="Who">{described.actor}</td>
                      <td data-label="What">
                        {described.action}
                        {described.target ? (
                          <div className="muted">
                            {described.targetHref ? (
                              <Link href={described.targetHref}>{described.target}</Link>
                            ) : (
                              described.target
                            )}
                          </div>
                        ) : null}
                      </td>
                      <td data-label="Change">
                        <AuditChanges described={described} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
        )}
        <div className="pagination">
          {filters.before ? (
            <Link className="button" href="/admin/audit">
              Newest
            </Link>
          ) : null}
          {olderHref ? (
            <Link className="button" href={olderHref}>
              Older entries
            </Link>
          ) : null}
        </div>
      </section>
    </>
  );
}

/** Each changed field as "field: old → new", then what identifies the record, then the raw entry. */
function AuditChanges({ described }: { described: DescribedAudit }) {
  return (
    <div>
      {described.changes.length > 0 ? (
        <ul className="change-list" data-testid="audit-changes">
          {described.changes.map((c) => (
            <li key={c.field}>
              <span className="field">{c.field}:</span>{" "}
              {c.before !== undefined ? (
                <>
                  {c.before} <span aria-hidden="true">→</span>
                  <span className="visually-hidden">changed to</span> {c.after}
                </>
              ) : (
                c.after
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {described.context.length > 0 ? (
        <div className="muted">
          {described.context.map((c) => `${c.field}: ${c.after}`).join(" · ")}
        </div>
      ) : null}
      <details className="technical">
        <summary>Technical details</summary>
        <dl>
          {described.technical.map((t, i) => (
            <div key={`${t.label}-${i}`} style={{ display: "contents" }}>
              <dt>{t.label}</dt>
              <dd>{t.value}</dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}
