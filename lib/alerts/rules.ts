import type { Db } from "@/db/client";
import {
  countActiveChannels,
  findLiveRule,
  insertRule,
  listLiveRules,
  markRuleDeleted,
  updateRuleColumns,
} from "@/db/queries/alert-rules";
import type { AlertRule } from "@/db/schema";
import { writeAudit } from "@/lib/audit";
import { AlertRuleInput } from "@/lib/contract/alert-rules";
import { InvalidInput, NotFound } from "@/lib/errors";
import { parseInput } from "@/lib/parse-input";
import type { WriteContext } from "./channels";
import { holdVersion } from "./versions";

/*
 * Alert rules: written by admins, every change audited with its before and after. A deleted
 * rule is kept (its alerts' history names it) but no longer evaluated.
 */

export interface RuleView {
  id: string;
  name: string;
  severity: string;
  condition: AlertRule["condition"];
  entity: string | null;
  for: string;
  repeat: string | null;
  channelIds: string[];
  enabled: boolean;
  ownerId: string | null;
  /** Send it as If-Match to change or delete this version. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export function ruleView(rule: AlertRule): RuleView {
  return {
    id: rule.id,
    name: rule.name,
    severity: rule.severity,
    condition: rule.condition,
    entity: rule.entity,
    for: rule.forDuration,
    repeat: rule.repeatInterval,
    channelIds: rule.channelIds,
    enabled: rule.enabled,
    ownerId: rule.ownerId,
    version: rule.version,
    createdAt: rule.createdAt,
    updatedAt: rule.updatedAt,
  };
}

/** The problems go in the message too: a form shows only the message. */
const invalidRule = (details: string[]) =>
  new InvalidInput(`Invalid alert rule: ${details.join("; ")}`, details);

/** A rule as written (to save or to backtest), or InvalidInput naming each problem. */
export function parseAlertRule(body: unknown): AlertRuleInput {
  return parseInput(AlertRuleInput, body, { whole: "body", title: "Invalid alert rule" });
}

function parse(body: unknown): AlertRuleInput {
  const rule = parseAlertRule(body);
  return { ...rule, channelIds: [...new Set(rule.channelIds)] };
}

async function assertChannelsExist(tx: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  if ((await countActiveChannels(tx, ids)) !== ids.length) {
    throw invalidRule(["channelIds: names a channel that does not exist or is inactive"]);
  }
}

const columns = (input: AlertRuleInput) => ({
  name: input.name,
  severity: input.severity,
  condition: input.condition,
  entity: input.entity,
  forDuration: input.for,
  repeatInterval: input.repeat,
  channelIds: input.channelIds,
  enabled: input.enabled,
});

export async function createRule(db: Db, body: unknown, context: WriteContext): Promise<RuleView> {
  const input = parse(body);
  return db.transaction(async (tx) => {
    await assertChannelsExist(tx, input.channelIds);
    const rule = await insertRule(tx, { ...columns(input), ownerId: context.userId });
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert_rule.created",
      target: { type: "alert_rule", id: rule.id },
      after: input,
      meta: context.meta,
    });
    return ruleView(rule);
  });
}

async function currentRule(db: Db, id: string): Promise<AlertRule> {
  const rule = await findLiveRule(db, id);
  if (!rule) throw new NotFound("No alert rule with that id");
  return rule;
}

export async function getRule(db: Db, id: string): Promise<RuleView> {
  return ruleView(await currentRule(db, id));
}

export async function listRules(db: Db): Promise<RuleView[]> {
  const rows = await listLiveRules(db);
  return rows.map(ruleView);
}

/** A PATCH: the given fields over the current rule, validated whole. */
export async function updateRule(
  db: Db,
  id: string,
  body: unknown,
  context: WriteContext,
): Promise<RuleView> {
  return db.transaction(async (tx) => {
    await holdVersion(tx, "alert_rule", id, context.ifVersion);
    const before = ruleView(await currentRule(tx, id));
    const { name, severity, condition, entity, channelIds, enabled } = before;
    const input = parse({
      name,
      severity,
      condition,
      entity,
      for: before.for,
      repeat: before.repeat,
      channelIds,
      enabled,
      ...(body && typeof body === "object" ? body : {}),
    });
    await assertChannelsExist(tx, input.channelIds);
    const rule = await updateRuleColumns(tx, id, columns(input));
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert_rule.updated",
      target: { type: "alert_rule", id },
      before,
      after: input,
      meta: context.meta,
    });
    return ruleView(rule);
  });
}

/**
 * Deletes a rule. Its firing alerts are resolved (nothing will evaluate them again, and an
 * alert firing forever is noise) and its pending ones dropped; no notice is sent for either.
 */
export async function deleteRule(db: Db, id: string, context: WriteContext): Promise<void> {
  await db.transaction(async (tx) => {
    await holdVersion(tx, "alert_rule", id, context.ifVersion);
    const before = ruleView(await currentRule(tx, id));
    await markRuleDeleted(tx, id);
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert_rule.deleted",
      target: { type: "alert_rule", id },
      before,
      meta: context.meta,
    });
  });
}
