"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/http/action-result";

export interface BacktestView {
  step: string;
  readings: number;
  firings: number;
  lastFiringAt: string | null;
}

function describe(result: BacktestView): string {
  const times =
    result.firings === 0
      ? "would not have fired"
      : `would have fired ${result.firings} time${result.firings === 1 ? "" : "s"}`;
  const last = result.lastFiringAt
    ? `, last at ${new Date(result.lastFiringAt).toLocaleString()}`
    : "";
  return `Over the last 30 days this rule ${times}${last} (${result.readings} readings, one every ${result.step.slice(2).toLowerCase()}).`;
}

/** Backtests the rule form's fields as they stand, without saving: the form's own button saves. */
export function BacktestButton({
  backtest,
}: {
  backtest: (form: FormData) => Promise<ActionResult<BacktestView>>;
}) {
  const [result, setResult] = useState<ActionResult<BacktestView> | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="form-row">
      <button
        type="button"
        disabled={pending}
        onClick={(event) => {
          const form = event.currentTarget.form;
          if (!form) return;
          const fields = new FormData(form);
          startTransition(async () => setResult(await backtest(fields)));
        }}
      >
        {pending ? "Backtesting…" : "Backtest"}
      </button>
      <p aria-live="polite" data-testid="backtest-result" style={{ margin: 0 }}>
        {result ? (result.ok ? describe(result.data) : result.error) : null}
      </p>
    </div>
  );
}
