import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { AmountsAtRisk, IncidentStatusBadge } from "@/components/incidents/blast-radius";
import { DataTable } from "@/components/table/data-table";
import { LinkTabs } from "@/components/ui/link-tabs";
import { DateTime } from "@/components/ui/date-time";
import { guardPage } from "@/lib/auth/session";
import { ListIncidentsQuery } from "@/lib/contract/incident-api";
import { loadIncidentList } from "@/lib/exceptions/incident-view";
import { TYPE_LABELS } from "@/lib/exceptions/vocabulary";

export const metadata: Metadata = { title: "Incidents" };

const PAGE_SIZE = 50;

const STATUS_TABS = [
  { value: "open", label: "Open" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All" },
] as const;

/** Exceptions that share a cause, the most recently seen first: one row per cause to act on. */
export default async function IncidentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await guardPage("/incidents");
  const raw = await searchParams;
  const one = (key: string) => (typeof raw[key] === "string" ? raw[key] : undefined);
  const tab = one("status") ?? "open";
  const parsed = ListIncidentsQuery.safeParse({
    status: tab === "all" ? undefined : tab,
    cursor: one("cursor"),
    limit: PAGE_SIZE,
  });
  const query = parsed.success ? parsed.data : ListIncidentsQuery.parse({ status: "open" });
  const { items, nextCursor } = await loadIncidentList(
    await getDb(),
    { status: query.status },
    { limit: query.limit, cursor: query.cursor },
  );
  return (
    <>
      <h1>Incidents</h1>
      <p className="muted" style={{ marginTop: 0 }}>
        Exceptions that share a cause: the same ERP error code from one system for one entity, one
        usage source&apos;s incomplete windows, one reconciliation run&apos;s breaks. A new
        exception joins its cause&apos;s open incident when it occurred within 24 hours of it.
      </p>
      <LinkTabs
        label="Incident status"
        tabs={STATUS_TABS.map((t) => ({ href: `/incidents?status=${t.value}`, label: t.label }))}
        current={`/incidents?status=${query.status ?? "all"}`}
      />
      {items.length === 0 ? (
        <p>No incidents here.</p>
      ) : (
        <div className="card">
          <DataTable
            label="Incidents"
            testId="incident-list"
            rows={items}
            columns={[
              {
                header: "Incident",
                cell: (incident) => (
                  <>
                    <Link href={`/incidents/${incident.id}`}>{incident.title}</Link>
                    <div className="muted">{TYPE_LABELS[incident.kind]}</div>
                  </>
                ),
              },
              {
                header: "Status",
                cell: (incident) => <IncidentStatusBadge status={incident.status} />,
              },
              {
                header: "Exceptions (open)",
                cell: (incident) => `${incident.memberCount} (${incident.openCount})`,
              },
              {
                header: "Amount at risk",
                cell: (incident) => <AmountsAtRisk incident={incident} />,
              },
              { header: "Entities", cell: (incident) => incident.entities.join(", ") || "—" },
              { header: "Customers", cell: (incident) => incident.customerCount },
              { header: "First seen", cell: (incident) => <DateTime value={incident.firstSeen} /> },
              { header: "Last seen", cell: (incident) => <DateTime value={incident.lastSeen} /> },
            ]}
          />
        </div>
      )}
      {nextCursor ? (
        <p>
          <Link href={`/incidents?status=${tab}&cursor=${encodeURIComponent(nextCursor)}`}>
            Older incidents →
          </Link>
        </p>
      ) : null}
    </>
  );
}
