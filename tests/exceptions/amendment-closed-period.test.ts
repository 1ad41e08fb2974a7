import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { accountingPeriods, exceptions } from "@/db/schema";
import { CLI_ACTOR } from "@/lib/audit";
import { createUser } from "@/lib/auth/users";
import { ingestItems } from "@/lib/ingest/ingest";
import { testDbForSuite } from "../support/db";

/*
 * retroactive_amendment: an amendment effective before the month it was made in,
 * or effective in a period marked closed. The second case is the one this file covers: made
 * in the same month it takes effect, so only the closed period makes it retroactive.
 */

const t = testDbForSuite();

const amendment = (contractId: string, entity: string) => ({
  specversion: "1.0",
  id: `amd-${contractId}`,
  source: "urn:test:contracts",
  type: "contract.amended",
  time: "2026-11-20T10:00:00Z",
  data: {
    contractId,
    customerId: "cus_1",
    entity,
    effectiveFrom: "2026-11-05T00:00:00Z",
    amendedAt: "2026-11-20T10:00:00Z",
    currency: "EUR",
    amountImpactMinor: -5_000,
  },
});

test("an amendment into a closed period is retroactive; into an open one it is not", async () => {
  const closer = await createUser(
    t.db,
    { email: "closer@periods.test", role: "finance" },
    CLI_ACTOR,
  );
  await t.db.insert(accountingPeriods).values([
    {
      entity: "CLOSED-CO",
      periodStart: new Date("2026-11-01T00:00:00Z"),
      periodEnd: new Date("2026-12-01T00:00:00Z"),
      closedAt: new Date(),
      closedBy: closer.id,
    },
    {
      entity: "OPEN-CO",
      periodStart: new Date("2026-11-01T00:00:00Z"),
      periodEnd: new Date("2026-12-01T00:00:00Z"),
    },
  ]);
  await ingestItems(
    t.db,
    [amendment("ctr-closed", "CLOSED-CO"), amendment("ctr-open", "OPEN-CO")],
    {
      apiKeyId: null,
      channel: "api",
    },
  );
  const raised = await t.db
    .select({ contractId: exceptions.contractId, status: exceptions.status })
    .from(exceptions)
    .where(eq(exceptions.type, "retroactive_amendment"));
  expect(raised).toEqual([{ contractId: "ctr-closed", status: "open" }]);
});
