import { beforeAll, describe, expect, it } from "vitest";
import { exceptions } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { closePeriod } from "@/lib/close/periods";
import { exceptionsBlockingClose } from "@/lib/exceptions/blocks-close";
import { loadQueueCounts, loadQueuePage } from "@/lib/exceptions/queue";
import { loadQueueParams } from "@/lib/exceptions/queue-params";
import { testDbForSuite } from "../support/db";
import {
  OCT,
  SEP,
  failedFirstPosting,
  ingest,
  makeUser,
  posting,
  uniqueEntity,
  upsertException,
} from "../close/support";

/*
 * The queue's "blocks a close" filter keeps exactly the exceptions that close readiness names
 * as blockers of a failing check, for an entity-month not yet closed: a failed posting of an
 * invoice issued in an open month, an exception awaiting approval. It leaves out exceptions
 * that no check counts, those of a month already closed, and those of other entities when the
 * entity filter is on; and it pages and counts like any other filter.
 */

const t = testDbForSuite();
const NOW = new Date("2026-11-10T12:00:00Z");
let entity: string;
let other: string;
const ids: Record<string, string> = {};

async function exceptionOf(invoiceId: string) {
  const rows = await t.db.select().from(exceptions);
  const row = rows.find((r) => r.invoiceId === invoiceId && r.type === "erp_posting_failed");
  expect(row, `an erp_posting_failed exception for ${invoiceId}`).toBeDefined();
  return row!;
}

beforeAll(async () => {
  entity = uniqueEntity("block");
  other = uniqueEntity("other");
  // October (open): one invoice never posted, one posted after a failure.
  await ingest(
    t.db,
    ...failedFirstPosting(
      entity,
      `${entity}-OCT-1`,
      { issuedAt: OCT(5), attemptedAt: OCT(5, 1) },
      "GL_LOCKED",
      { amountMinor: 250_000 },
    ),
    ...failedFirstPosting(
      entity,
      `${entity}-OCT-2`,
      { issuedAt: OCT(6), attemptedAt: OCT(6, 1) },
      "TIMEOUT",
    ),
    posting(entity, {
      invoiceId: `${entity}-OCT-2`,
      postingId: `PST-${entity}-OCT-2-b`,
      attempt: 2,
      status: "succeeded",
      attemptedAt: OCT(6, 2),
    }),
    // September: a failed posting too, but September gets closed below.
    ...failedFirstPosting(
      entity,
      `${entity}-SEP-1`,
      { issuedAt: SEP(10), attemptedAt: SEP(10, 1) },
      "GL_LOCKED",
    ),
    // Another entity's failed posting in October.
    ...failedFirstPosting(
      other,
      `${other}-OCT-1`,
      { issuedAt: OCT(7), attemptedAt: OCT(7, 1) },
      "GL_LOCKED",
    ),
  );
  ids.unposted = (await exceptionOf(`${entity}-OCT-1`)).id;
  ids.september = (await exceptionOf(`${entity}-SEP-1`)).id;
  ids.otherEntity = (await exceptionOf(`${other}-OCT-1`)).id;
  // Waiting for an approver blocks every month of the entity ("No pending approvals").
  ids.awaiting = (
    await upsertException(t.db, {
      type: "entitlement_out_of_sync",
      status: "awaiting_approval",
      entity,
    })
  ).id;
  // Open, but no close-readiness check counts it.
  ids.harmless = (
    await upsertException(t.db, { type: "entitlement_out_of_sync", status: "open", entity })
  ).id;
  const finance = await makeUser(t.db, "finance");
  await closePeriod(
    t.db,
    { entity, period: "2026-09", reason: "Closed over the posting; it is booked by hand" },
    { userId: finance.id, actor: SYSTEM_ACTOR },
  );
});

/** The queue at NOW for these URL params, without a signed-in viewer. */
const queuePage = (params: Record<string, string>) =>
  loadQueuePage(t.db, loadQueueParams(params), null, NOW);
const queueCounts = (params: Record<string, string>) =>
  loadQueueCounts(t.db, loadQueueParams(params), null, NOW);

describe("the 'blocks a close' filter", () => {
  it("keeps the exceptions close readiness names for the entity's open months, and no others", async () => {
    const page = await queuePage({
      entity,
      blocking: "true",
      status: "open,in_progress,awaiting_approval",
    });
    expect(page.items.map((i) => i.id).sort()).toEqual([ids.unposted, ids.awaiting].sort());

    // Without the filter the same view holds the others too: the filter is what removed them.
    const all = await queuePage({ entity });
    expect(all.items.map((i) => i.id)).toEqual(
      expect.arrayContaining([ids.unposted, ids.awaiting, ids.september, ids.harmless]),
    );
  });

  it("follows the entity filter, and without it spans every entity", async () => {
    const everywhere = await exceptionsBlockingClose(t.db, { now: NOW });
    expect(everywhere).toEqual(expect.arrayContaining([ids.unposted, ids.otherEntity]));
    expect(everywhere).not.toContain(ids.september);
    expect(everywhere).not.toContain(ids.harmless);
    const scoped = await exceptionsBlockingClose(t.db, { entity: other, now: NOW });
    expect(scoped).toEqual([ids.otherEntity]);
  });

  it("counts and pages like the other filters", async () => {
    const counts = await queueCounts({ entity, blocking: "true" });
    expect(counts.total).toEqual({ count: 2, capped: false });
    expect(counts.byType.erp_posting_failed.count).toBe(1);
    expect(counts.byType.entitlement_out_of_sync.count).toBe(1);

    const first = await queuePage({ entity, blocking: "true", size: "25" });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeNull();
  });

  it("lets a month leave the filter once it is closed", async () => {
    const finance = await makeUser(t.db, "finance");
    await closePeriod(
      t.db,
      { entity: other, period: "2026-10", reason: "Posted by hand" },
      { userId: finance.id, actor: SYSTEM_ACTOR },
    );
    expect(await exceptionsBlockingClose(t.db, { entity: other, now: NOW })).toEqual([]);
  });

  it("sorts by amount at risk, largest first, within the filter", async () => {
    const page = await queuePage({ entity, blocking: "true", sort: "amount" });
    // The awaiting-approval exception has no amount: it sorts below every real one.
    expect(page.items.map((i) => [i.id, i.amountMinor])).toEqual([
      [ids.unposted, 250_000],
      [ids.awaiting, null],
    ]);
  });
});
