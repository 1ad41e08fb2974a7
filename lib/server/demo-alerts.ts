import type { Db } from "@/db/client";
import { readSetting, writeSetting } from "@/db/queries/settings";
import { createRule } from "@/lib/alerts/rules";
import type { CurrentUser } from "@/lib/auth/session";

/*
 * The demo company's alert rules, as its finance lead would set them up: the Alerts page and
 * the bell then show what alerting does with the demo's own telemetry (a source gone quiet,
 * first-pass postings slipping, money piling up in one entity, a close at risk) instead of
 * an empty page. No channel: the demo sends nothing anywhere. Made once per database (a
 * setting marks it), through the same function as the rule form and audited as the finance
 * user, so a rule the visitor edits or deletes stays as they left it.
 */

const SEEDED_KEY = "demo-alert-rules";

export const DEMO_ALERT_RULES = [
  {
    name: "ERP first-pass success below 90 %",
    severity: "critical",
    condition: {
      kind: "kpi",
      metric: "erpPosting.firstPassSuccessRate",
      op: "<",
      value: 0.9,
      window: "P1D",
    },
    entity: "*",
    for: "PT10M",
  },
  {
    name: "A source has gone quiet",
    severity: "critical",
    condition: { kind: "silence", after: "learned" },
    entity: null,
    for: "PT0S",
  },
  {
    name: "Money at stake in one entity above 5,000.00 in the reporting currency",
    severity: "warning",
    condition: { kind: "exceptions", trigger: "amount_at_risk", aboveMinor: 500_000 },
    entity: "*",
    for: "PT0S",
  },
  {
    name: "Close at risk: NO-GO within 3 days of the deadline",
    severity: "warning",
    condition: { kind: "close", withinDays: 3 },
    entity: "*",
    for: "PT0S",
  },
] as const;

/** Creates the demo's rules unless this database has had them. Answers how many it made. */
export async function setUpAlertRules(db: Db, finance: CurrentUser): Promise<number> {
  if (await readSetting(db, SEEDED_KEY)) return 0;
  const context = {
    userId: finance.id,
    actor: { type: "user" as const, id: finance.id, label: finance.email },
  };
  for (const rule of DEMO_ALERT_RULES) await createRule(db, rule, context);
  await writeSetting(db, SEEDED_KEY, { rules: DEMO_ALERT_RULES.length }, finance.id);
  return DEMO_ALERT_RULES.length;
}
