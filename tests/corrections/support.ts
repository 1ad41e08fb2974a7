import type { Db } from "@/db/client";
import { eq } from "drizzle-orm";
import { exceptions, type Role } from "@/db/schema";
import { CLI_ACTOR } from "@/lib/audit";
import type { CurrentUser } from "@/lib/auth/session";
import { createUser } from "@/lib/auth/users";
import { createEndpoint } from "@/lib/outbox/endpoints";

/** A new user of the role, as a signed-in session presents them to lib/corrections. */
export async function sessionUser(db: Db, role: Role, email: string): Promise<CurrentUser> {
  const created = await createUser(db, { email, role }, CLI_ACTOR);
  return { id: created.id, email: created.email, name: null, role };
}

/** Approved corrections leave through the outbox: the billing system's endpoint takes them. */
export async function billingCorrectionsEndpoint(db: Db) {
  await createEndpoint(
    db,
    { name: "billing corrections", url: "http://127.0.0.1:9/hook", kinds: ["correction.execute"] },
    { createdBy: null, actor: CLI_ACTOR },
  );
}

export interface ReconciliationBreak {
  eventId: string;
  runId: string;
  entity: string;
  /** The reconciled key: here, the customer. */
  key: string;
  time: string;
  actualMinor: number;
}

/** October 2026's billing-vs-ERP result for one customer, expecting 1,000.00 EUR. */
export const reconciliationResult = (r: ReconciliationBreak) => ({
  specversion: "1.0",
  id: r.eventId,
  source: "urn:test:recon",
  type: "reconciliation.result",
  time: r.time,
  data: {
    runId: r.runId,
    kind: "billing_vs_erp",
    entity: r.entity,
    periodStart: "2026-10-01T00:00:00Z",
    periodEnd: "2026-11-01T00:00:00Z",
    key: r.key,
    currency: "EUR",
    expectedMinor: 100_000,
    actualMinor: r.actualMinor,
  },
});

/** The exception detection raised for a reconciliation run. */
export async function exceptionOfRun(db: Db, runId: string): Promise<string> {
  const [row] = await db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(eq(exceptions.runId, runId));
  return row!.id;
}
