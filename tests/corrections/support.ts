import { beforeAll } from "vitest";
import type { Db } from "@/db/client";
import { eq } from "drizzle-orm";
import { exceptions, type Role } from "@/db/schema";
import { CLI_ACTOR } from "@/lib/audit";
import type { CurrentUser } from "@/lib/auth/session";
import { createUser } from "@/lib/auth/users";
import { ingestItems } from "@/lib/ingest/ingest";
import { createEndpoint } from "@/lib/outbox/endpoints";
import { testDbForSuite } from "../support/db";

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

/**
 * The reconciliation breaks of one test file, numbered from 1: break `n` is October 2026's
 * billing-vs-ERP result for customer cus_n of `entity`, expecting 1,000.00 EUR. An actual of
 * 90,000 raises the break; a later result of 100,000 for the same run clears it.
 */
export function reconciliationBreaks(t: { readonly db: Db }, prefix: string, entity: string) {
  let seq = 0;
  const runId = (n: number) => `${prefix}run-${n}`;
  const ingest = (...items: unknown[]) =>
    ingestItems(t.db, items, { apiKeyId: null, channel: "api" });
  const result = (n: number, actualMinor: number) => ({
    specversion: "1.0",
    id: `${prefix}rec-${n}-${actualMinor}`,
    source: "urn:test:recon",
    type: "reconciliation.result",
    time: new Date(Date.UTC(2026, 10, 2) + actualMinor).toISOString(),
    data: {
      runId: runId(n),
      kind: "billing_vs_erp",
      entity,
      periodStart: "2026-10-01T00:00:00Z",
      periodEnd: "2026-11-01T00:00:00Z",
      key: `cus_${n}`,
      currency: "EUR",
      expectedMinor: 100_000,
      actualMinor,
    },
  });
  return {
    ingest,
    result,
    runId,
    /** The next break, raised from telemetry as in production: its exception and number. */
    async raise(): Promise<{ id: string; n: number }> {
      const n = ++seq;
      await ingest(result(n, 90_000));
      const [row] = await t.db
        .select({ id: exceptions.id })
        .from(exceptions)
        .where(eq(exceptions.runId, runId(n)));
      return { id: row!.id, n };
    },
  };
}

/** A credit note in EUR to the billing system for the exception's break. */
export const creditNote = (exceptionId: string, amountMinor = 10_000) => ({
  exceptionId,
  kind: "credit_note" as const,
  amountMinor,
  currency: "EUR",
  targetSystem: "billing",
  reason: "Credit the difference the ERP did not book",
});

/** A finance user's decision on a correction they have seen at `expectedVersion`. */
export const decision = (
  correctionId: string,
  expectedVersion: number,
  decision: "approve" | "reject" = "approve",
) => ({
  correctionId,
  decision,
  expectedVersion,
  reason: "Checked against the ledger",
});

/**
 * A corrections test file's set-up: its database, its reconciliation breaks (`<name>-run-n`
 * for `entity`), the billing system's endpoint, and one session user per key of `roles`
 * (`<key>@<name>.test`), made in a `beforeAll` and read in the tests.
 */
export function correctionsSuite<Key extends string>(
  name: string,
  entity: string,
  roles: Record<Key, Role>,
) {
  const t = testDbForSuite();
  const users = {} as Record<Key, CurrentUser>;
  beforeAll(async () => {
    for (const [key, role] of Object.entries(roles) as [Key, Role][]) {
      users[key] = await sessionUser(t.db, role, `${key}@${name}.test`);
    }
    await billingCorrectionsEndpoint(t.db);
  });
  return { t, users, breaks: reconciliationBreaks(t, `${name}-`, entity) };
}
