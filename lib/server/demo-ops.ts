import type { Db } from "@/db/client";
import {
  listExceptionsToWork,
  listMaterialityScopes,
  type ExceptionToWork,
} from "@/db/queries/ops-team";
import { listActiveUsersByEmail } from "@/db/queries/users";
import type { CurrentUser } from "@/lib/auth/session";
import {
  approvalThreshold,
  correctionsForException,
  decideCorrection,
  proposeCorrection,
} from "@/lib/corrections/corrections";
import { setMateriality } from "@/lib/close/materiality";
import { AppError } from "@/lib/errors";
import { currencyDigits } from "@/lib/format";
import { requestPostingRetry } from "@/lib/exceptions/retry";
import {
  dismissException,
  resolveException,
  startException,
  type WorkContext,
} from "@/lib/exceptions/workflow";
import { ingestItems } from "@/lib/ingest/ingest";
import { ENTITIES } from "@/lib/simulator/company";
import { SOURCES } from "@/lib/simulator/events";
import { planFor, type OpsPlan, type OpsRole } from "@/lib/simulator/ops-team";
import { demoEmail } from "./demo-users";
import { repeatInBackground } from "./repeat";

/*
 * The demo's operations team at work: the demo users take, start, retry, resolve and dismiss
 * exceptions and propose and approve corrections, following the plans of
 * lib/simulator/ops-team.ts, through the same functions the pages call, so every step is
 * checked, versioned and audited as theirs. While history is replayed (demo-history.ts) each
 * action is stamped with the moment the plan gives it; live, the team acts as time comes.
 */

export type OpsTeam = Record<OpsRole, CurrentUser>;

/** The demo's operations and finance users, or null when the demo has none (no demo mode). */
export async function findOpsTeam(db: Db): Promise<OpsTeam | null> {
  const roles: OpsRole[] = ["operations", "finance"];
  const rows = await listActiveUsersByEmail(db, roles.map(demoEmail));
  const team: Partial<OpsTeam> = {};
  for (const role of roles) {
    const user = rows.find((r) => r.email === demoEmail(role) && r.role === role);
    if (!user) return null;
    team[role] = user;
  }
  return team as OpsTeam;
}

/** What finance deems immaterial to a close, in each entity's currency: 500.00. */
const DEMO_MATERIALITY_MAJOR_UNITS = 500;

/**
 * Finance's set-up of the demo company: a materiality per entity, so that a break of a few
 * cents does not hold a month's close (set only where none is, so an edit in the product
 * stays). Through the same function as the close page, audited as the finance user.
 */
export async function setUpMateriality(db: Db, team: OpsTeam): Promise<void> {
  const existing = await listMaterialityScopes(db);
  for (const entity of ENTITIES) {
    if (existing.some((m) => m.entity === entity.code && m.currency === entity.currency)) continue;
    await setMateriality(
      db,
      {
        entity: entity.code,
        currency: entity.currency,
        thresholdMinor: DEMO_MATERIALITY_MAJOR_UNITS * 10 ** currencyDigits(entity.currency),
      },
      {
        userId: team.finance.id,
        actor: { type: "user", id: team.finance.id, label: team.finance.email },
      },
    );
  }
}

export interface TurnOptions {
  seed: number;
  now: Date;
  /**
   * Replaying history up to `until`: actions are stamped with their planned time. A
   * correction is not replayed (it leaves through the outbox to real systems): one due
   * within CORRECTIONS_LIVE_MS of `until` is left for the live team, an older one closes as
   * the plan's alternative.
   */
  replay?: { until: number };
}

export interface TurnSummary {
  started: number;
  retried: number;
  resolved: number;
  dismissed: number;
  proposed: number;
  approved: number;
  /** Reconciliation results sent for breaks the team fixed (rerunMatches). */
  reruns: number;
}

export const emptyTurnSummary = (): TurnSummary => ({
  started: 0,
  retried: 0,
  resolved: 0,
  dismissed: 0,
  proposed: 0,
  approved: 0,
  reruns: 0,
});

export const CORRECTIONS_LIVE_MS = 36 * 3_600_000;
/** A retried posting the connector keeps failing is left to the owner's own fix. */
const MAX_RETRIED_ATTEMPT = 3;
/** How long the owner waits for the connector's answer before asking again. */
const RETRY_PATIENCE_MS = 20 * 60_000;
const MINUTE_MS = 60_000;

/** One pass over the queue: every action whose time has come, in the plan's order. */
export async function opsTeamTurn(
  db: Db,
  team: OpsTeam,
  options: TurnOptions,
): Promise<TurnSummary> {
  const summary = emptyTurnSummary();
  for (const x of await listExceptionsToWork(db, options.now)) {
    try {
      await work(db, team, options, x, summary);
    } catch (error) {
      // Telemetry or a person changed the exception meanwhile: the next turn sees it anew.
      if (!(error instanceof AppError)) throw error;
    }
  }
  return summary;
}

async function work(
  db: Db,
  team: OpsTeam,
  options: TurnOptions,
  x: ExceptionToWork,
  summary: TurnSummary,
): Promise<void> {
  const plan = planFor(options.seed, {
    type: x.type,
    problemKey: x.problemKey,
    openedAt: x.openedAt.getTime(),
    reconciliationKind: typeof x.details.kind === "string" ? x.details.kind : null,
  });
  const now = options.now.getTime();
  const owner = team[plan.owner];
  let { status, version } = x;
  let last = x.updatedAt.getTime();
  /** The context of an action due at `due`, or null while it is not yet due. */
  const when = (due: number, actor: CurrentUser = owner): WorkContext | null => {
    if (!options.replay) return due <= now ? { actor } : null;
    // Never before what already happened to the exception.
    const at = Math.max(due, last + MINUTE_MS);
    return at <= now ? { actor, at: new Date(at) } : null;
  };

  if (status === "open") {
    const ctx = when(plan.startAt);
    if (!ctx) return;
    ({ status, version } = await startException(db, ctx, { id: x.id, version }));
    last = ctx.at?.getTime() ?? now;
    summary.started++;
  }

  if (status === "in_progress") {
    if (x.type === "erp_posting_failed" && !options.replay && plan.retryAt !== null) {
      // A retry that cannot be sent (no connector registered) leaves the owner's own fix.
      const retried = await retryWhenDue(db, owner, plan, x, now).catch((error: unknown) => {
        if (error instanceof AppError) return false;
        throw error;
      });
      if (retried) {
        summary.retried++;
        return;
      }
    }
    const ctx = when(plan.closeAt);
    if (!ctx) return;
    await close(db, team, options, x, plan, ctx, version, summary);
    return;
  }

  if (status === "awaiting_approval" && !options.replay) {
    if (await approveWhenDue(db, team, plan, x, now)) summary.approved++;
  }
}

/** Asks the ERP connector to retry a failed posting, once per failed attempt, a few at most. */
async function retryWhenDue(
  db: Db,
  owner: CurrentUser,
  plan: OpsPlan,
  x: ExceptionToWork,
  now: number,
): Promise<boolean> {
  const attempt = Number(x.details.attempt);
  const failedAt = Date.parse(String(x.details.attemptedAt));
  if (now < plan.retryAt! || !(attempt <= MAX_RETRIED_ATTEMPT)) return false;
  if (Number.isFinite(failedAt) && now < failedAt + RETRY_PATIENCE_MS) return false;
  const outcome = await requestPostingRetry(db, x.id, {
    userId: owner.id,
    actor: { type: "user", id: owner.id, label: owner.email },
  });
  return outcome.outcome === "requested";
}

/**
 * A break the team fixed in its source matches at the reconciliation's next run: the job sends
 * the result it would, so the close check (which reads results) agrees with the person who
 * closed the exception. Its id is the simulator's own rerun id, so a rerun the simulated
 * company had planned anyway counts once.
 */
async function rerunMatches(db: Db, x: ExceptionToWork, ctx: WorkContext): Promise<boolean> {
  if (x.type !== "reconciliation_break" || !x.runId) return false;
  const d = x.details;
  const at = ctx.at ?? new Date();
  const result = await ingestItems(
    db,
    [
      {
        specversion: "1.0",
        id: `${x.runId}-${String(d.key)}-rerun`,
        source: SOURCES.reconciliation,
        type: "reconciliation.result",
        time: at.toISOString(),
        subject: x.runId,
        data: {
          runId: x.runId,
          kind: d.kind,
          entity: x.entity,
          periodStart: d.periodStart,
          periodEnd: d.periodEnd,
          key: d.key,
          currency: x.currency,
          expectedMinor: Number(d.expectedMinor),
          actualMinor: Number(d.expectedMinor),
          toleranceMinor: Number(d.toleranceMinor ?? 0),
        },
      },
    ],
    { apiKeyId: null, channel: "api", ...(ctx.at ? { receivedAt: [ctx.at] } : {}) },
  );
  if (result.rejected.length > 0) {
    throw new Error(
      `the demo's rerun of ${x.runId} was refused: ${JSON.stringify(result.rejected)}`,
    );
  }
  return true;
}

async function close(
  db: Db,
  team: OpsTeam,
  options: TurnOptions,
  x: ExceptionToWork,
  plan: OpsPlan,
  ctx: WorkContext,
  version: number,
  summary: TurnSummary,
): Promise<void> {
  const closing = plan.closing;
  const target = { id: x.id, version };
  // A person does not mark fixed a posting the telemetry still shows failed: the close check
  // reads the telemetry and would contradict them. It stays with its owner, a real blocker,
  // until a retry or the controller's fix succeeds and Closeline closes it.
  if (x.type === "erp_posting_failed" && closing.action !== "dismiss") return;
  switch (closing.action) {
    case "resolve":
      await resolveException(db, ctx, { ...target, code: closing.code, note: closing.note });
      if (await rerunMatches(db, x, ctx)) summary.reruns++;
      summary.resolved++;
      return;
    case "dismiss":
      await dismissException(db, ctx, { ...target, code: closing.code, note: closing.note });
      summary.dismissed++;
      return;
    case "correct": {
      const replay = options.replay;
      if (replay && replay.until - plan.closeAt < CORRECTIONS_LIVE_MS) return;
      const amount = x.amountMinor ?? 0;
      const correctable =
        !replay &&
        amount > 0 &&
        x.currency !== null &&
        amount <= (await approvalThreshold(db, x.entity, x.currency));
      if (!correctable) {
        await resolveException(db, ctx, { ...target, ...closing.instead });
        if (await rerunMatches(db, x, ctx)) summary.reruns++;
        summary.resolved++;
        return;
      }
      // Maker-checker: operations proposes, finance decides (approveWhenDue).
      await proposeCorrection(db, team.operations, {
        exceptionId: x.id,
        kind: closing.kind,
        amountMinor: amount,
        currency: x.currency!,
        targetSystem: closing.targetSystem,
        reason: closing.reason,
      });
      summary.proposed++;
      return;
    }
  }
}

/** Finance approves a pending correction once it has had time to check it. */
async function approveWhenDue(
  db: Db,
  team: OpsTeam,
  plan: OpsPlan,
  x: ExceptionToWork,
  now: number,
): Promise<boolean> {
  const pending = (await correctionsForException(db, x.id)).find(
    (c) => c.status === "pending_approval",
  );
  if (!pending || pending.proposedBy === team.finance.id) return false;
  if (pending.decisions.some((d) => d.deciderId === team.finance.id)) return false;
  if (now < pending.proposedAt.getTime() + plan.approvalDelayMs) return false;
  await decideCorrection(db, team.finance, {
    correctionId: pending.id,
    decision: "approve",
    expectedVersion: pending.version,
    reason: "Checked against the source documents; the amount matches.",
  });
  return true;
}

/** How often the live team looks at the queue: people check it every few minutes, not constantly. */
const LIVE_TURN_MS = 30_000;

/**
 * The team at work from now on, one turn every half minute in this server process. Errors
 * are logged and the next turn tries again, as for the exception sweep.
 */
export function startOpsTeam(db: Db, team: OpsTeam, seed: number): () => void {
  return repeatInBackground(
    () => opsTeamTurn(db, team, { seed, now: new Date() }),
    LIVE_TURN_MS,
    "The demo operations team's turn failed; trying again shortly",
  );
}
