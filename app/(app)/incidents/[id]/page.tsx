import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { IncidentRetryButton } from "@/components/exceptions/actions/retry-controls";
import { SeverityBadge, StatusBadge } from "@/components/exceptions/badges";
import { AmountsAtRisk, IncidentStatusBadge } from "@/components/incidents/blast-radius";
import { DataTable } from "@/components/table/data-table";
import { DateTime } from "@/components/ui/date-time";
import { customerThreadHref } from "@/lib/thread/vocabulary";
import { can } from "@/lib/auth/permissions";
import { guardPage } from "@/lib/auth/session";
import { loadIncident } from "@/lib/exceptions/incident-view";
import { TYPE_LABELS } from "@/lib/exceptions/vocabulary";
import { formatMoney } from "@/lib/format";

export const metadata: Metadata = { title: "Incident" };

/** One incident: what its members share, how far it reaches, and one action for all of them. */
export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await guardPage("/incidents/[id]");
  const { id } = await params;
  const incident = await loadIncident(await getDb(), id);
  if (!incident) notFound();
  const canWork = can(user.role, "exceptions:work");
  return (
    <>
      <p style={{ margin: 0 }}>
        <Link href="/incidents">← Incidents</Link>
      </p>
      <h1 style={{ marginBottom: "0.5rem", overflowWrap: "anywhere" }}>{incident.title}</h1>
      <div className="form-row" style={{ alignItems: "center" }}>
        <IncidentStatusBadge status={incident.status} />
        <span className="badge">{TYPE_LABELS[incident.kind]}</span>
      </div>
      <section className="card" aria-labelledby="radius-heading">
        <h2 id="radius-heading">Blast radius</h2>
        <dl data-testid="incident-radius">
          <dt>Exceptions</dt>
          <dd>{`${incident.memberCount}, ${incident.openCount} still open`}</dd>
          <dt>Amount at risk</dt>
          <dd>
            <AmountsAtRisk incident={incident} />
          </dd>
          <dt>Entities</dt>
          <dd>{incident.entities.join(", ") || "—"}</dd>
          <dt>Customers</dt>
          <dd>
            {incident.customerCount === 0
              ? "—"
              : incident.customers.map((c, i) => (
                  <span key={c}>
                    {i > 0 ? ", " : ""}
                    <Link href={customerThreadHref(c)}>{c}</Link>
                  </span>
                ))}
            {incident.customerCount > incident.customers.length
              ? ` and ${incident.customerCount - incident.customers.length} more`
              : null}
          </dd>
          <dt>First seen</dt>
          <dd>
            <DateTime value={incident.firstSeen} />
          </dd>
          <dt>Last seen</dt>
          <dd>
            <DateTime value={incident.lastSeen} />
          </dd>
        </dl>
      </section>
      {canWork ? (
        <section className="card" aria-labelledby="incident-actions-heading">
          <h2 id="incident-actions-heading">Actions</h2>
          <IncidentRetryButton incidentId={incident.id} retryableCount={incident.retryableCount} />
        </section>
      ) : null}
      <section className="card" aria-labelledby="members-heading">
        <h2 id="members-heading">Exceptions</h2>
        {incident.membersTruncated ? (
          <p className="muted">{`The first ${incident.members.length} of ${incident.memberCount}.`}</p>
        ) : null}
        <DataTable
          label="Exceptions of the incident"
          testId="incident-members"
          rows={incident.members}
          columns={[
            { header: "Exception", cell: (m) => <Link href={m.href}>{m.title}</Link> },
            { header: "Status", cell: (m) => <StatusBadge status={m.status} /> },
            { header: "Severity", cell: (m) => <SeverityBadge severity={m.severity} /> },
            { header: "Entity", cell: (m) => m.entity ?? "—" },
            {
              header: "Amount",
              cell: (m) =>
                m.amountMinor !== null && m.currency
                  ? formatMoney(m.amountMinor, m.currency)
                  : "unknown",
            },
            { header: "Occurred", cell: (m) => <DateTime value={m.openedAt} /> },
          ]}
        />
      </section>
    </>
  );
}
