import type { Metadata } from "next";
import { CardSection } from "@/components/ui/card-section";
import Link from "next/link";
import { getDb } from "@/db";
import { AdminHeader } from "@/components/admin/admin-tabs";
import { Field } from "@/components/forms/field";
import { DataTable } from "@/components/table/data-table";
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
      <AdminHeader current="/admin/audit" />
      <CardSection id="audit-heading" title="Audit log">
        <p className="muted">
          Append-only: entries cannot be changed or deleted, by the app or in the database.
        </p>
        <form className="form-row" method="get" role="search" aria-label="Filter the audit log">
          <Field label="Action starts with">
            <input
              name="action"
              defaultValue={filters.action ?? ""}
              placeholder="e.g. auth.sign_in"
            />
          </Field>
          <Field label="Actor">
            <input name="actor" defaultValue={filters.actor ?? ""} placeholder="email or id" />
          </Field>
          <Field label="Target id">
            <input name="target" defaultValue={filters.target ?? ""} />
          </Field>
          <button type="submit">Filter</button>
          <Link className="button" href="/admin/audit">
            Clear
          </Link>
        </form>
        <DataTable
          label="Audit log entries"
          testId="audit-table"
          rows={entries.map((entry) => ({
            id: String(entry.id),
            entry,
            described: describeAudit(entry, timeZone),
          }))}
          rowAttributes={({ entry }) => ({ "data-action": entry.action })}
          empty="No entries match these filters."
          columns={[
            {
              header: "Time",
              className: "nowrap",
              cell: ({ entry }) => <DateTime value={entry.at} />,
            },
            { header: "Who", cell: ({ described }) => described.actor },
            { header: "What", cell: ({ described }) => <AuditWhat described={described} /> },
            { header: "Change", cell: ({ described }) => <AuditChanges described={described} /> },
          ]}
        />
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
      </CardSection>
    </>
  );
}

/** What was done, and to which record (a link where it has a page). */
function AuditWhat({ described }: { described: DescribedAudit }) {
  return (
    <>
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
