import type { Metadata } from "next";
import { getDb } from "@/db";
import { listAlerts } from "@/lib/alerts/list";
import { KPI_METRIC_LABELS, type KpiMetric } from "@/lib/contract/alerts";
import { AcknowledgeForm } from "@/components/alerts/acknowledge-form";
import { AlertsTable } from "@/components/alerts/alerts-table";
import { ChannelForm } from "@/components/alerts/channel-form";
import { RuleForm } from "@/components/alerts/rule-form";
import { RowActionButton } from "@/components/ui/row-action-button";
import { DataTable } from "@/components/table/data-table";
import { listChannels } from "@/lib/alerts/channels";
import { listRules } from "@/lib/alerts/rules";
import { can } from "@/lib/auth/permissions";
import { guardPage } from "@/lib/auth/session";
import {
  acknowledgeAction,
  createChannelAction,
  createRuleAction,
  deleteRuleAction,
} from "./actions";

export const metadata: Metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

/** What is firing now, who is on it, what resolved lately; and, for those who may, the rules. */
export default async function AlertsPage() {
  const user = await guardPage("/alerts");
  const db = await getDb();
  const manage = can(user.role, "alerts:manage");
  const [firing, resolved, rules, channels] = await Promise.all([
    listAlerts(db, { states: ["firing"], limit: 200 }),
    listAlerts(db, { states: ["resolved"], limit: 50 }),
    listRules(db),
    manage ? listChannels(db) : Promise.resolve([]),
  ]);
  const unacknowledged = firing.filter((a) => !a.acknowledgedAt);
  const acknowledged = firing.filter((a) => a.acknowledgedAt);
  const mayAcknowledge = can(user.role, "alerts:acknowledge");
  const activeChannels = channels.filter((c) => c.active);
  return (
    <>
      <h1>Alerts</h1>
      <section className="card" aria-labelledby="firing">
        <h2 id="firing">Firing ({unacknowledged.length})</h2>
        <AlertsTable
          label="Firing alerts"
          alerts={unacknowledged}
          emptyText="Nothing is firing."
          action={
            mayAcknowledge
              ? (a) => (
                  <AcknowledgeForm
                    alertId={a.id}
                    alertName={`${a.ruleName}${a.dimension ? `, ${a.dimension}` : ""}`}
                    acknowledge={acknowledgeAction}
                  />
                )
              : undefined
          }
        />
      </section>
      <section className="card" aria-labelledby="acknowledged">
        <h2 id="acknowledged">Acknowledged ({acknowledged.length})</h2>
        <AlertsTable
          label="Acknowledged alerts"
          alerts={acknowledged}
          emptyText="No firing alert has been acknowledged."
        />
      </section>
      <section className="card" aria-labelledby="resolved">
        <h2 id="resolved">Recently resolved</h2>
        <AlertsTable label="Resolved alerts" alerts={resolved} emptyText="Nothing resolved yet." />
      </section>
      <section className="card" aria-labelledby="rules">
        <h2 id="rules">Rules</h2>
        <DataTable
          label="Alert rules"
          stack
          rows={rules}
          rowKey={(r) => r.id}
          rowAttributes={() => ({ "data-testid": "alert-rule" })}
          empty="No alert rule yet."
          rowActions={
            manage
              ? (r) => (
                  <RowActionButton
                    id={r.id}
                    label="Delete"
                    pendingLabel="Deleting…"
                    confirm={`Delete the rule "${r.name}"? Its firing alerts are resolved.`}
                    danger
                    action={deleteRuleAction}
                  />
                )
              : undefined
          }
          labelActionsOnPhone
          columns={[
            { header: "Name", cell: (r) => r.name },
            { header: "Severity", cell: (r) => r.severity },
            {
              header: "Condition",
              cell: (r) => <code>{describeCondition(r.condition, r.entity)}</code>,
            },
            { header: "For", cell: (r) => r.for },
            { header: "Enabled", cell: (r) => (r.enabled ? "yes" : "no") },
          ]}
        />
      </section>
      {manage ? (
        <>
          <section className="card" aria-labelledby="new-rule">
            <h2 id="new-rule">Add a KPI rule</h2>
            <RuleForm channels={activeChannels} create={createRuleAction} />
          </section>
          <section className="card" aria-labelledby="new-channel">
            <h2 id="new-channel">Add a channel</h2>
            <p className="muted" style={{ marginTop: 0 }}>
              {activeChannels.length === 0
                ? "No channel yet."
                : `Channels: ${activeChannels.map((c) => `${c.name} (${c.kind})`).join(", ")}.`}{" "}
              Notices go through the outbox: retried with backoff, dead-lettered after the last
              attempt, each attempt in the delivery log under Admin → Webhooks.
            </p>
            <ChannelForm create={createChannelAction} />
          </section>
        </>
      ) : null}
    </>
  );
}

function describeCondition(condition: Record<string, unknown>, entity: string | null): string {
  const where = entity === "*" ? " per entity" : entity ? ` for ${entity}` : "";
  switch (condition.kind) {
    case "kpi":
      return `${KPI_METRIC_LABELS[condition.metric as KpiMetric] ?? String(condition.metric)} ${String(condition.op)} ${String(condition.value)} over ${String(condition.window)}${where}`;
    case "silence":
      return `${String(condition.source ?? "any source")} / ${String(condition.type ?? "any type")} silent (${String(condition.after)})`;
    case "exceptions":
      return `open ${String(condition.type)} ≥ ${String(condition.atLeast)}${where}`;
    default:
      return String(condition.kind);
  }
}
