import type { Metadata } from "next";
import type { ComponentProps } from "react";
import { CardSection } from "@/components/ui/card-section";
import { getDb } from "@/db";
import { deliveriesOfAlerts } from "@/lib/alerts/deliveries";
import { listAlerts } from "@/lib/alerts/list";
import { AcknowledgeForm } from "@/components/alerts/acknowledge-form";
import { AlertsTable } from "@/components/alerts/alerts-table";
import { ChannelForm } from "@/components/alerts/channel-form";
import { RuleForm } from "@/components/alerts/rule-form";
import { RulesTable } from "@/components/alerts/rules-table";
import { SilenceForm } from "@/components/alerts/silence-form";
import { SilencesTable } from "@/components/alerts/silences-table";
import type { AlertListItem } from "@/lib/alerts/list";
import { listSilences } from "@/lib/alerts/silences";
import { listChannels } from "@/lib/alerts/channels";
import { figureFormat } from "@/lib/alerts/figure";
import { listRules } from "@/lib/alerts/rules";
import { can } from "@/lib/auth/permissions";
import { guardPage } from "@/lib/auth/session";
import { loadReportingCurrency } from "@/lib/money/reporting";
import {
  acknowledgeAction,
  backtestRuleAction,
  createChannelAction,
  createRuleAction,
  deleteRuleAction,
  liftSilenceAction,
  silenceAlertAction,
} from "./actions";

export const metadata: Metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

/** What is firing now, who is on it, what resolved lately; and, for those who may, the rules. */
export default async function AlertsPage() {
  const user = await guardPage("/alerts");
  const db = await getDb();
  const manage = can(user.role, "alerts:manage");
  const [firing, resolved, rules, channels, silences, reportingCurrency] = await Promise.all([
    listAlerts(db, { states: ["firing"], limit: 200 }),
    listAlerts(db, { states: ["resolved"], limit: 50 }),
    listRules(db),
    manage ? listChannels(db) : Promise.resolve([]),
    listSilences(db),
    loadReportingCurrency(db),
  ]);
  const deliveries = await deliveriesOfAlerts(
    db,
    [...firing, ...resolved].map((a) => a.id),
  );
  const unacknowledged = firing.filter((a) => !a.acknowledgedAt);
  const acknowledged = firing.filter((a) => a.acknowledgedAt);
  const mayAcknowledge = can(user.role, "alerts:acknowledge");
  const activeChannels = channels.filter((c) => c.active);
  // Each alert's figures in its rule's unit; an alert of a deleted rule keeps bare numbers.
  const figures = new Map(rules.map((r) => [r.id, figureFormat(r.condition, reportingCurrency)]));
  const nameOf = (a: AlertListItem) => `${a.ruleName}${a.dimension ? `, ${a.dimension}` : ""}`;
  const silenceForm = (a: AlertListItem) => (
    <SilenceForm
      alertId={a.id}
      alertName={nameOf(a)}
      perDimension={a.dimension !== ""}
      silence={silenceAlertAction}
    />
  );
  // The firing, acknowledged and resolved alerts: a table each, with their deliveries and figures.
  const alertsSection = (
    id: string,
    title: string,
    table: Omit<ComponentProps<typeof AlertsTable>, "deliveries" | "figures">,
  ) => (
    <CardSection id={id} title={title}>
      <AlertsTable {...table} deliveries={deliveries} figures={figures} />
    </CardSection>
  );
  return (
    <>
      <h1>Alerts</h1>
      {alertsSection("firing", `Firing (${unacknowledged.length})`, {
        label: "Firing alerts",
        alerts: unacknowledged,
        emptyText: "Nothing is firing.",
        action: mayAcknowledge
          ? (a) => (
              <>
                <AcknowledgeForm
                  alertId={a.id}
                  alertName={nameOf(a)}
                  acknowledge={acknowledgeAction}
                />
                {silenceForm(a)}
              </>
            )
          : undefined,
      })}
      {alertsSection("acknowledged", `Acknowledged (${acknowledged.length})`, {
        label: "Acknowledged alerts",
        alerts: acknowledged,
        emptyText: "No firing alert has been acknowledged.",
        action: mayAcknowledge ? silenceForm : undefined,
      })}
      <CardSection id="silences" title={`Silences (${silences.length})`}>
        <p className="muted" style={{ marginTop: 0 }}>
          A silenced alert still fires and resolves, and its history is kept; its channels hear
          nothing until the silence ends. One still firing then is told at the next evaluation.
        </p>
        <SilencesTable silences={silences} lift={mayAcknowledge ? liftSilenceAction : undefined} />
      </CardSection>
      {alertsSection("resolved", "Recently resolved", {
        label: "Resolved alerts",
        alerts: resolved,
        emptyText: "Nothing resolved yet.",
      })}
      <CardSection id="rules" title="Rules">
        <RulesTable
          rules={rules}
          reportingCurrency={reportingCurrency}
          remove={manage ? deleteRuleAction : undefined}
        />
      </CardSection>
      {manage ? (
        <>
          <CardSection id="new-rule" title="Add a rule">
            <RuleForm
              channels={activeChannels}
              reportingCurrency={reportingCurrency}
              create={createRuleAction}
              backtest={backtestRuleAction}
            />
          </CardSection>
          <CardSection id="new-channel" title="Add a channel">
            <p className="muted" style={{ marginTop: 0 }}>
              {activeChannels.length === 0
                ? "No channel yet."
                : `Channels: ${activeChannels.map((c) => `${c.name} (${c.kind})`).join(", ")}.`}{" "}
              Notices go through the outbox: retried with backoff, dead-lettered after the last
              attempt; each alert&rsquo;s row shows its delivery log.
            </p>
            <ChannelForm create={createChannelAction} />
          </CardSection>
        </>
      ) : null}
    </>
  );
}
