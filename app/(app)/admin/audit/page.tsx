import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { AuditFilters, auditPage } from "@/lib/audit-query";
import { guardPage } from "@/lib/auth/session";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Audit log" };

function summarise(value: unknown): string {
  if (value == null) return "";
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await guardPage("/admin/audit");
  const filters = AuditFilters.parse(await searchParams);
  const { entries, olderCursor } = await auditPage(await getDb(), filters);
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
          <div className="table-wrap">
            <table className="data" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Change</th>
                  <th scope="col">IP / agent</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td className="nowrap">{formatDateTime(entry.at)}</td>
                    <td>
                      {entry.actorLabel ?? entry.actorId ?? "—"}{" "}
                      <span className="muted">({entry.actorType})</span>
                    </td>
                    <td>
                      <code>{entry.action}</code>
                    </td>
                    <td>
                      {entry.targetType ? `${entry.targetType} ${entry.targetId ?? ""}` : "—"}
                    </td>
                    <td>
                      {entry.before ? (
                        <div className="muted">before: {summarise(entry.before)}</div>
                      ) : null}
                      {entry.after ? <div>after: {summarise(entry.after)}</div> : null}
                    </td>
                    <td className="muted">
                      {entry.ip ?? "—"}
                      <br />
                      {entry.userAgent ? entry.userAgent.slice(0, 60) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
