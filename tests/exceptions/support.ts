import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, expect } from "vitest";
import type { Db } from "@/db/client";
import {
  auditLog,
  exceptions,
  type ExceptionStatus,
  type ExceptionType,
  type Role,
} from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { AppError } from "@/lib/errors";
import { createUser } from "@/lib/auth/users";
import type { EventType } from "@/lib/contract";
import type { WorkContext } from "@/lib/exceptions/workflow";
import { ingestItems } from "@/lib/ingest/ingest";
import type { ExampleEvent } from "@/lib/contract/examples";
import { testDbForSuite } from "../support/db";

/*
 * Fixtures for the exception tests. Telemetry goes in as CloudEvents through the real
 * ingestion, so detection is tested from the events alone; the queue and workflow tests
 * insert exception rows directly where the telemetry behind them does not matter. Every
 * name carries a random suffix, so tests in one file (one database) never meet.
 */

export const SOURCE = "/tests/exceptions";
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
export const iso = (ms: number) => new Date(ms).toISOString();

/** An event as a producer sends it: the contract's example shape. */
export type FixtureEvent = ExampleEvent;

export function event(
  type: EventType,
  data: Record<string, unknown>,
  time: string,
  source = SOURCE,
): FixtureEvent {
  return { specversion: "1.0", id: unique("evt"), source, type, time, data };
}

export const invoiceIssued = (
  invoiceId: string,
  o: { entity?: string; amountMinor?: number; customerId?: string; at?: string } = {},
) =>
  event(
    "invoice.issued",
    {
      invoiceId,
      customerId: o.customerId ?? "cus_1",
      entity: o.entity ?? "ACME-US",
      currency: "USD",
      amountMinor: o.amountMinor ?? 125_000,
      periodStart: "2025-02-01T00:00:00Z",
      periodEnd: "2025-03-01T00:00:00Z",
      issuedAt: o.at ?? "2025-03-01T06:00:00Z",
    },
    o.at ?? "2025-03-01T06:00:00Z",
  );

export const postingAttempt = (
  postingId: string,
  invoiceId: string,
  attempt: number,
  status: "succeeded" | "failed",
  at: string,
  errorCode = "GL_PERIOD_CLOSED",
) =>
  event(
    "erp.posting.attempted",
    {
      postingId,
      invoiceId,
      entity: "ACME-US",
      attempt,
      status,
      attemptedAt: at,
      ...(status === "failed" ? { errorCode, errorMessage: "Accounting period is closed" } : {}),
    },
    at,
  );

/** A failed first attempt of a new posting of a new invoice, from `system` for `entity`. */
export function failedPosting(o: { entity: string; code: string; system: string; at: number }) {
  const invoice = unique("INV");
  const posting = unique("PST");
  return {
    posting,
    events: [
      invoiceIssued(invoice, { entity: o.entity, customerId: unique("cus"), at: iso(o.at) }),
      event(
        "erp.posting.attempted",
        {
          postingId: posting,
          invoiceId: invoice,
          entity: o.entity,
          attempt: 1,
          status: "failed",
          attemptedAt: iso(o.at),
          errorCode: o.code,
          errorMessage: "refused",
        },
        iso(o.at),
        o.system,
      ),
    ],
  };
}

/** An invoice.disputed event without its data: the contract rejects it. */
export const invalidEvent = (id: string, source: string, time: string) => ({
  specversion: "1.0",
  id,
  source,
  type: "invoice.disputed",
  time,
  data: {},
});

export const disputed = (invoiceId: string, at: string, reason = "Usage double-counted") =>
  event("invoice.disputed", { invoiceId, reason, amountMinor: 15_000 }, at);

export const reconResult = (
  runId: string,
  key: string,
  expectedMinor: number,
  actualMinor: number,
  at: string,
) =>
  event(
    "reconciliation.result",
    {
      runId,
      kind: "billing_vs_erp",
      entity: "ACME-US",
      periodStart: "2025-02-01T00:00:00Z",
      periodEnd: "2025-03-01T00:00:00Z",
      key,
      currency: "USD",
      expectedMinor,
      actualMinor,
      toleranceMinor: 100,
    },
    at,
  );

export const paymentReceived = (paymentId: string, at: string, customerId = "cus_1") =>
  event(
    "payment.received",
    { paymentId, customerId, currency: "USD", amountMinor: 50_000, receivedAt: at },
    at,
  );

export const entitlementUpdated = (paymentId: string | null, at: string, customerId = "cus_1") =>
  event(
    "entitlement.updated",
    { customerId, status: "active", ...(paymentId ? { paymentId } : {}), updatedAt: at },
    at,
  );

export const amended = (contractId: string, effectiveFrom: string, amendedAt: string) =>
  event(
    "contract.amended",
    {
      contractId,
      customerId: "cus_1",
      entity: "ACME-US",
      effectiveFrom,
      amendedAt,
      currency: "USD",
      amountImpactMinor: -25_000,
    },
    amendedAt,
  );

export const checkpoint = (
  meter: string,
  windowStart: string,
  windowEnd: string,
  expectedCount: number,
  receivedCount: number,
  sentAt: string,
) =>
  event(
    "usage.checkpoint",
    { entity: "ACME-US", meter, windowStart, windowEnd, expectedCount, receivedCount },
    sentAt,
  );

/** Ingests each batch in its own call, as a sender's separate requests would arrive. */
export async function ingest(db: Db, ...batches: unknown[][]) {
  const results = [];
  for (const batch of batches)
    results.push(await ingestItems(db, batch, { apiKeyId: null, channel: "api" }));
  return results;
}

/** The exceptions of a type and problem key: there must never be more than one. */
export async function exceptionsFor(db: Db, type: ExceptionType, problemKey: string) {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.type, type), eq(exceptions.problemKey, problemKey)));
}

export async function theException(db: Db, type: ExceptionType, problemKey: string) {
  const rows = await exceptionsFor(db, type, problemKey);
  expect(rows, `exceptions of ${type} ${problemKey}`).toHaveLength(1);
  return rows[0]!;
}

export async function auditOf(db: Db, exceptionId: string) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "exception"), eq(auditLog.targetId, exceptionId)))
    .orderBy(auditLog.id);
}

export async function makeUser(db: Db, role: Role, options: { active?: boolean } = {}) {
  const user = await createUser(db, { email: `${unique(role)}@example.test`, role }, SYSTEM_ACTOR);
  if (options.active === false) {
    await db.execute(sql`update users set active = false where id = ${user.id}::uuid`);
  }
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

export type TestUser = Awaited<ReturnType<typeof makeUser>>;

/**
 * One new user per key of `roles`, made in a `beforeAll` registered here (so after the file's
 * database and before the hooks that follow): `users.ops` once that hook ran.
 */
export function usersFor<Key extends string>(
  file: { readonly db: Db },
  roles: Record<Key, Role>,
): Readonly<Record<Key, TestUser>> {
  const users = {} as Record<Key, TestUser>;
  beforeAll(async () => {
    for (const [key, role] of Object.entries(roles) as [Key, Role][]) {
      users[key] = await makeUser(file.db, role);
    }
  });
  return users;
}

export const asActor = (user: { id: string; email: string; role: Role }): WorkContext => ({
  actor: { id: user.id, email: user.email, role: user.role },
  meta: { ip: "127.0.0.1", userAgent: "vitest" },
});

export interface ExceptionSeed {
  type?: ExceptionType;
  status?: ExceptionStatus;
  severity?: "low" | "medium" | "high" | "critical";
  title?: string;
  entity?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
  ownerId?: string | null;
  invoiceId?: string | null;
  openedAt?: Date;
}

/** An exception row as detection would leave it, for tests where its telemetry does not matter. */
export async function seedException(db: Db, seed: ExceptionSeed = {}) {
  const [row] = await db
    .insert(exceptions)
    .values({
      type: seed.type ?? "erp_posting_failed",
      problemKey: unique("problem"),
      status: seed.status ?? "open",
      severity: seed.severity ?? "medium",
      title: seed.title ?? unique("Exception"),
      entity: seed.entity === undefined ? "ACME-US" : seed.entity,
      amountMinor: seed.amountMinor === undefined ? 10_000 : seed.amountMinor,
      currency: seed.currency === undefined ? "USD" : seed.currency,
      ownerId: seed.ownerId ?? null,
      invoiceId: seed.invoiceId ?? null,
      openedAt: seed.openedAt ?? new Date(),
    })
    .returning();
  return row!;
}

/** An exception's row as it stands now. */
export async function reloadException(db: Db, id: string) {
  const [row] = await db.select().from(exceptions).where(eq(exceptions.id, id));
  return row!;
}

/** The error an action fails with, for asserting its class and code. */
export async function failure(
  action: Promise<unknown> | (() => Promise<unknown>),
): Promise<AppError> {
  try {
    await (typeof action === "function" ? action() : action);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the action to fail");
}

/**
 * A workflow test file's database (as testDbForSuite's), its team of one user of each role
 * made before its tests, and `reload` for an exception's row as it stands now.
 */
export function workflowSuite() {
  const t = testDbForSuite();
  const team = usersFor(t, {
    ops: "operations",
    fin: "finance",
    admin: "admin",
    exec: "executive",
  });
  return { t, team, reload: (id: string) => reloadException(t.db, id) };
}

/** A test file's database (as testDbForSuite's) and one operations user made before its tests. */
export function operatorSuite() {
  const t = testDbForSuite();
  return { t, users: usersFor(t, { ops: "operations" }) };
}
