import type { Db } from "@/db/client";
import type { CloseScope } from "@/db/queries/close";
import {
  usageShortfallsBySourceMeter,
  usageTotals,
  worstUsageWindows,
} from "@/db/queries/close-usage";
import { formatCount, formatDateTime, formatPercent } from "@/lib/format";
import { checkResult, passedCheck, plural, type Blocker, type CheckResult } from "./checks";
import { ingestionLink } from "./links";
import type { AccountingPeriodRange } from "./period";

/*
 * Check (a): usage complete for the period, Σ received / Σ expected against the target,
 * compared in integers so no rounding decides a close.
 */

/** How many of the worst usage windows to name when usage is incomplete. */
const WORST_WINDOWS = 10;
/** The ref of the usage blocker that stands for "no checkpoints at all in the period". */
export const NO_CHECKPOINTS_REF = "(no checkpoints)";

/** part / whole of two exact counts, to a hundred-millionth: enough for a percentage shown to 0.01. */
function share(part: bigint, whole: bigint): number {
  return whole === 0n ? 0 : Number((part * 100_000_000n) / whole) / 100_000_000;
}

export async function usageCheck(
  db: Db,
  scope: CloseScope,
  period: AccountingPeriodRange,
  target: number,
  limit: number,
): Promise<CheckResult> {
  const key = "usage_complete";
  const totals = await usageTotals(db, scope);
  if (totals.expected === 0n) {
    // Nothing to measure is not "complete": a close must not pass on an absent feed.
    return checkResult(
      key,
      false,
      "No usage checkpoints end in this period, so completeness cannot be confirmed.",
      1,
      [
        {
          kind: "usage_source_meter",
          ref: NO_CHECKPOINTS_REF,
          label: "No usage checkpoints for the period",
          detail: "Check that the usage sources are sending usage.checkpoint events.",
          amountMinor: null,
          currency: null,
          exceptionId: null,
          link: ingestionLink(scope.entity, period),
        },
      ],
    );
  }
  const targetPpm = Math.round(target * 1_000_000);
  // Integer comparison: received / expected >= target ⇔ received · 10⁶ >= expected · target·10⁶.
  const passed = totals.received * 1_000_000n >= totals.expected * BigInt(targetPpm);
  const measured = `${formatPercent(share(totals.received, totals.expected), 2)} of expected usage received (${formatCount(totals.received)} of ${formatCount(totals.expected)}); target ${formatPercent(target, 1)}`;
  if (passed) return passedCheck(key, `${measured}.`);

  // The windows are always read up to WORST_WINDOWS, whatever the listing limit, so the
  // blocker count is the same on the checklist and on the portfolio (which lists nothing).
  const [pairs, worst] = await Promise.all([
    usageShortfallsBySourceMeter(db, scope, targetPpm, limit),
    worstUsageWindows(db, scope, WORST_WINDOWS),
  ]);
  const windows = worst.slice(0, limit);
  const link = ingestionLink(scope.entity, period);
  const blockers: Blocker[] = [
    ...pairs.rows.map((p) => ({
      kind: "usage_source_meter" as const,
      ref: `${p.source} / ${p.meter}`,
      label: `${p.meter} from ${p.source}`,
      detail: `${formatPercent(share(p.received, p.expected), 2)} complete: ${formatCount(p.missing)} of ${formatCount(p.expected)} events missing`,
      amountMinor: null,
      currency: null,
      exceptionId: null,
      link,
    })),
    ...windows.map((w) => ({
      kind: "usage_window" as const,
      ref: `${w.source} / ${w.meter} / ${w.windowStart}`,
      label: `${w.meter} from ${w.source}, window ${formatDateTime(w.windowStart)} – ${formatDateTime(w.windowEnd)}`,
      detail: `${formatCount(w.missing)} of ${formatCount(w.expected)} events missing`,
      amountMinor: null,
      currency: null,
      exceptionId: null,
      link,
    })),
  ];
  return checkResult(
    key,
    false,
    `${measured}; ${plural(pairs.total, "source/meter pair")} below target.`,
    pairs.total + worst.length,
    blockers,
  );
}
