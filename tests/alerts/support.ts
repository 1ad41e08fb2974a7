import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import type { AuditActor } from "@/lib/audit";
import { createChannel } from "@/lib/alerts/channels";
import { createRule } from "@/lib/alerts/rules";
import { attempt, type FixtureEvent } from "../kpi/support";

export const ADMIN_ACTOR: AuditActor = { type: "system", id: null, label: "test" };
export const CONTEXT = { userId: null, actor: ADMIN_ACTOR };

/** `n` ERP postings whose first attempt, at `at`, succeeded or failed. */
export function postings(n: number, status: "succeeded" | "failed", at: Date, entity = "EU") {
  const events: FixtureEvent[] = [];
  for (let i = 0; i < n; i++) {
    events.push(
      attempt({
        postingId: `P-${randomUUID()}`,
        invoiceId: `INV-${randomUUID()}`,
        entity,
        attempt: 1,
        status,
        attemptedAt: at.toISOString(),
        ...(status === "failed" ? { errorCode: "TIMEOUT" } : {}),
      }),
    );
  }
  return events;
}

export async function webhookChannel(db: Db, url: string) {
  return createChannel(db, { kind: "webhook", name: `receiver ${randomUUID()}`, url }, CONTEXT);
}

/** The condition "first-pass success below 90 % over the last day". */
export const FIRST_PASS_BELOW_90 = {
  kind: "kpi",
  metric: "erpPosting.firstPassSuccessRate",
  op: "<",
  value: 0.9,
  window: "P1D",
};

/** "First-pass success below 90 % over the last day", to the given channels. */
export async function firstPassRule(
  db: Db,
  channelIds: string[],
  extra: Record<string, unknown> = {},
) {
  return createRule(
    db,
    {
      name: `First pass ${randomUUID()}`,
      severity: "critical",
      condition: FIRST_PASS_BELOW_90,
      entity: null,
      for: "PT0S",
      channelIds,
      ...extra,
    },
    CONTEXT,
  );
}
