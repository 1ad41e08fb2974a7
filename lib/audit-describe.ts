import { fieldLabel, flatten, formatFieldValue, isRecord, pathLabel } from "@/lib/humanise";

/*
 * An audit entry in words for the audit log page: who did what to which thing, and each
 * changed field as "Role: finance → admin". What only an engineer needs (ids, versions,
 * problem keys, the stored JSON, IP and browser) is kept apart for a "technical details"
 * disclosure, so the entry stays readable without hiding anything.
 */

export interface AuditRow {
  id: number;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
}

export interface FieldChange {
  field: string;
  /** Absent when the field was set for the first time (a creation). */
  before?: string;
  after: string;
}

export interface DescribedAudit {
  actor: string;
  action: string;
  target: string | null;
  /** Where the target can be seen, when it has a page. */
  targetHref: string | null;
  changes: FieldChange[];
  /** Fields that did not change but say which record it was ("Email: ana@example.com"). */
  context: FieldChange[];
  technical: { label: string; value: string }[];
}

const ACTIONS: Record<string, string> = {
  "auth.sign_in.succeeded": "Signed in",
  "auth.sign_in.failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "user.created": "Added a user",
  "user.role_changed": "Changed a user's role",
  "user.deactivated": "Deactivated a user",
  "user.reactivated": "Reactivated a user",
  "user.password_set": "Set a user's password",
  "user.time_zone_changed": "Changed their time zone",
  "api_key.created": "Created an API key",
  "api_key.revoked": "Revoked an API key",
  "personal_token.created": "Created a personal API token",
  "personal_token.revoked": "Revoked a personal API token",
  "api_key.demo_rotated": "Rotated the demo API key",
  "setting.updated": "Changed settings",
  "exception.raised": "Raised an exception",
  "exception.closed": "Closed an exception",
  "exception.reopened": "Reopened an exception",
  "exception.assigned": "Assigned an exception",
  "exception.unassigned": "Unassigned an exception",
  "exception.started": "Started work on an exception",
  "exception.resolved": "Resolved an exception",
  "exception.dismissed": "Dismissed an exception",
  "exception.commented": "Commented on an exception",
  "exception.retry_requested": "Asked for a retry",
  "correction.proposed": "Proposed a correction",
  "correction.approved": "Approved a correction",
  "correction.rejected": "Rejected a correction",
  "close.period_closed": "Closed a period",
  "close.period_reopened": "Reopened a period",
  "close.materiality_set": "Set a materiality threshold",
  "fx.rate_entered": "Entered an exchange rate",
  "rejected_event.replayed": "Replayed a rejected event",
  "rejected_event.dismissed": "Dismissed rejected events",
  "outbox.command_resent": "Re-sent a command",
  "webhook_endpoint.created": "Added a webhook endpoint",
  "webhook_endpoint.deactivated": "Deactivated a webhook endpoint",
  "webhook_endpoint.demo_rotated": "Rotated the demo webhook endpoint",
  "alert.firing": "An alert fired",
  "alert.resolved": "An alert resolved",
  "alert.acknowledged": "Acknowledged an alert",
  "alert_rule.created": "Added an alert rule",
  "alert_rule.updated": "Changed an alert rule",
  "alert_rule.deleted": "Deleted an alert rule",
  "alert_channel.created": "Added an alert channel",
  "alert_channel.updated": "Changed an alert channel",
  "alert_channel.deactivated": "Deactivated an alert channel",
  "alert_silence.created": "Silenced alerts",
  "alert_silence.lifted": "Lifted a silence",
  "digest.created": "Subscribed to a digest",
  "digest.updated": "Changed a digest",
  "digest.deleted": "Unsubscribed from a digest",
};

/** A known action as a sentence; an unknown one from its name ("x.retry_requested" → "X: retry requested"). */
export function actionLabel(action: string): string {
  const known = ACTIONS[action];
  if (known) return known;
  const [area = action, ...rest] = action.split(".");
  const verb = rest.join(" ").replaceAll("_", " ");
  return verb ? `${fieldLabel(area)}: ${verb}` : fieldLabel(area);
}

export function actorLabel(row: Pick<AuditRow, "actorType" | "actorLabel" | "actorId">): string {
  switch (row.actorType) {
    case "system":
      return "Closeline";
    case "cli":
      return "Command line";
    case "api_key":
      return `API key ${row.actorLabel ?? ""}`.trim();
    default:
      return row.actorLabel ?? row.actorId ?? "Someone";
  }
}

const TARGET_PAGES: Record<string, (id: string) => string> = {
  exception: (id) => `/exceptions/${encodeURIComponent(id)}`,
  alert: (id) => `/alerts#alert-${encodeURIComponent(id)}`,
};

/**
 * Keys that identify or version a record rather than describe it. They are exact and
 * searchable, so they stay available, under technical details.
 */
export function isTechnicalKey(key: string): boolean {
  return (
    key === "id" ||
    /Ids?$/.test(key) ||
    key === "version" ||
    key === "sessionVersion" ||
    key === "problemKey" ||
    key === "keyHash"
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function describeAudit(row: AuditRow, timeZone: string): DescribedAudit {
  const before = isRecord(row.before) ? flatten(row.before) : new Map();
  const after = isRecord(row.after) ? flatten(row.after) : new Map();
  const changes: FieldChange[] = [];
  const context: FieldChange[] = [];
  const technical: { label: string; value: string }[] = [];

  const paths = [...new Set([...after.keys(), ...before.keys()])];
  for (const path of paths) {
    const b = before.get(path);
    const a = after.get(path);
    const key = (a ?? b)!.key;
    const text = (v: { key: string; value: unknown; currency: unknown }) =>
      formatFieldValue(v.key, v.value, { currency: v.currency, timeZone });
    const field = pathLabel(path);
    if (isTechnicalKey(key)) {
      const value =
        b && a && !same(b.value, a.value)
          ? `${JSON.stringify(b.value)} → ${JSON.stringify(a.value)}`
          : JSON.stringify((a ?? b)!.value);
      technical.push({ label: path, value });
    } else if (b && a) {
      if (same(b.value, a.value)) context.push({ field, after: text(a) });
      else changes.push({ field, before: text(b), after: text(a) });
    } else if (a) {
      changes.push({ field, after: text(a) });
    } else if (b) {
      // Only the earlier state recorded it: the record as it was, not a change.
      context.push({ field, after: text(b) });
    }
  }

  if (row.targetId) technical.unshift({ label: "target id", value: row.targetId });
  if (row.actorId) technical.unshift({ label: "actor id", value: row.actorId });
  technical.unshift({ label: "action", value: row.action });
  technical.push({ label: "entry", value: `#${row.id} at ${row.at.toISOString()}` });
  if (row.ip) technical.push({ label: "IP address", value: row.ip });
  if (row.userAgent) technical.push({ label: "browser", value: row.userAgent });

  const toPage = row.targetType && row.targetId ? TARGET_PAGES[row.targetType] : undefined;
  return {
    actor: actorLabel(row),
    action: actionLabel(row.action),
    target: row.targetType ? fieldLabel(row.targetType) : null,
    targetHref: toPage && row.targetId ? toPage(row.targetId) : null,
    changes,
    context,
    technical,
  };
}
