import { eq } from "drizzle-orm";
import type { APIRequestContext, Page } from "@playwright/test";
import type { Db } from "@/db/client";
import { corrections } from "@/db/schema";
import { expect, test as authTest, type E2eUser } from "./fixtures/auth";
import type { E2eFixtures } from "./fixtures";
import { correctionsReceiver } from "./fixtures/outbox";
import { exceptionOfRun, octoberBreak } from "./fixtures/telemetry";

/*
 * A finance user proposes a correction, cannot approve it, a second finance user approves
 * it; the exception leaves "Awaiting approval" for "Awaiting confirmation", offers no new
 * proposal, the close checklist's "No pending approvals" passes for its entity, and the
 * target system's confirmation resolves it. A rejection instead returns it to open. The
 * audit log shows all of it.
 */

/** Sends one CloudEvent through the public ingestion API. */
async function send(
  request: APIRequestContext,
  key: string,
  type: string,
  id: string,
  data: object,
) {
  const sent = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/cloudevents+json" },
    data: JSON.stringify({
      specversion: "1.0",
      id,
      source: "urn:e2e:systems",
      type,
      time: new Date().toISOString(),
      data,
    }),
  });
  expect(sent.status()).toBe(200);
  expect(await sent.json()).toMatchObject({ accepted: 1 });
}

/** A reconciliation break of a fresh entity in October 2026, raised from telemetry. */
async function breakException(db: Db, request: APIRequestContext, key: string) {
  const runId = `e2e-run-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const entity = `E2E-${runId.slice(-6).toUpperCase()}`;
  await send(request, key, "reconciliation.result", runId, octoberBreak(runId, entity, "cus_e2e"));
  return { id: await exceptionOfRun(db, runId), entity };
}

async function propose(page: Page, exceptionId: string) {
  await page.goto(`/exceptions/${exceptionId}`);
  const form = page.getByRole("form", { name: "Propose a correction" });
  await form.getByLabel("Amount").fill("300.00");
  await form.getByLabel("Reason").fill("Credit the customer the difference the ERP did not book");
  await form.getByRole("button", { name: "Propose correction" }).click();
  await expect(page.getByTestId("correction")).toContainText("pending approval");
  // The form is gone with the proposal; what it did stays said, and has the focus.
  const confirmation = page.getByTestId("action-confirmation");
  await expect(confirmation).toContainText("Correction proposed");
  await expect(confirmation).toBeFocused();
}

/** What the correction and the confirmation say once the checker has decided. */
const DECIDED = {
  Approve: { correction: "approved", confirmation: "Approved." },
  Reject: { correction: "rejected", confirmation: "Rejected." },
} as const;

/** The checker approves or rejects the correction on the exception's page, giving a reason. */
async function decide(
  page: Page,
  exceptionId: string,
  decision: keyof typeof DECIDED,
  reason: string,
) {
  await page.goto(`/exceptions/${exceptionId}`);
  const form = page.getByRole("form", { name: "Decide on the correction" });
  await form.getByLabel("Reason for your decision").fill(reason);
  await form.getByRole("button", { name: decision }).click();
  await expect(page.getByTestId("correction")).toContainText(DECIDED[decision].correction);
  await expect(page.getByTestId("action-confirmation")).toContainText(
    DECIDED[decision].confirmation,
  );
}

const statusBadge = (page: Page) => page.getByTestId("exception-status");

/**
 * A reconciliation break reported through the API, and a finance user (the maker) who has
 * proposed a correction to it on their own page; the checker, another finance user, is yet
 * to sign in.
 */
interface Proposed {
  key: Awaited<ReturnType<E2eFixtures["createApiKey"]>>;
  exception: Awaited<ReturnType<typeof breakException>>;
  maker: E2eUser;
  checker: E2eUser;
  makerPage: Page;
}

const test = authTest.extend<{ proposed: Proposed }>({
  proposed: async ({ db, makeUser, createApiKey, request, signInElsewhere }, provide) => {
    await correctionsReceiver(db);
    const key = await createApiKey(["ingest"]);
    const exception = await breakException(db, request, key.key);
    const maker = await makeUser("finance");
    const checker = await makeUser("finance");
    const makerPage = await signInElsewhere(maker, `/exceptions/${exception.id}`);
    await propose(makerPage, exception.id);
    await provide({ key, exception, maker, checker, makerPage });
  },
});

// Two or three people sign in (bcrypt cost 12 each) and the journeys visit up to six pages.
test.slow();

test("maker-checker on a correction, end to end", async ({
  db,
  makeUser,
  request,
  proposed,
  signInElsewhere,
}) => {
  const { key, exception, maker, checker, makerPage } = proposed;
  // The page re-renders with the proposal (and without the form: one pending proposal at a time).
  const proposal = makerPage.getByTestId("correction");
  await expect(proposal).toContainText("Credit note of 300.00 EUR");
  await expect(statusBadge(makerPage)).toHaveText("Awaiting approval");
  await expect(makerPage.getByRole("form", { name: "Propose a correction" })).toHaveCount(0);
  // The proposer is not offered the decision, and is told why.
  await expect(makerPage.getByRole("form", { name: "Decide on the correction" })).toHaveCount(0);
  await expect(proposal).toContainText("another finance user must approve it");

  const checkerPage = await signInElsewhere(
    checker,
    `/close?entity=${exception.entity}&period=2026-10`,
  );
  // While the correction waits for an approver, the close is blocked by it.
  await checkerPage.goto(`/close?entity=${exception.entity}&period=2026-10`);
  await expect(checkerPage.getByTestId("check-no_pending_approvals")).toHaveAttribute(
    "data-passed",
    "false",
  );
  await decide(checkerPage, exception.id, "Approve", "Matches the ledger");
  await expect(checkerPage.getByTestId("action-confirmation")).toBeFocused();
  await expect(checkerPage.getByTestId("correction")).toContainText(
    /Command (queued|being delivered|delivered|delivery failed)/,
  );
  // The exception moved on: it waits for the target system, not for an approver, and
  // offers no second proposal while this one stands.
  await expect(statusBadge(checkerPage)).toHaveText("Awaiting confirmation");
  await expect(checkerPage.getByTestId("correction-stage")).toContainText(
    "Approved · awaiting confirmation",
  );
  await expect(checkerPage.getByRole("form", { name: "Propose a correction" })).toHaveCount(0);
  await makerPage.reload();
  await expect(statusBadge(makerPage)).toHaveText("Awaiting confirmation");
  await expect(makerPage.getByRole("form", { name: "Propose a correction" })).toHaveCount(0);

  // Close readiness for the entity passes "No pending approvals" on the next load.
  await checkerPage.goto(`/close?entity=${exception.entity}&period=2026-10`);
  const approvals = checkerPage.getByTestId("check-no_pending_approvals");
  await expect(approvals).toHaveAttribute("data-passed", "true");

  // The target system confirms the correction: the exception resolves by itself.
  const [correction] = await db
    .select({ id: corrections.id })
    .from(corrections)
    .where(eq(corrections.exceptionId, exception.id));
  await send(request, key.key, "correction.executed", `exec-${correction!.id}`, {
    correctionId: correction!.id,
    status: "executed",
    executedAt: new Date().toISOString(),
    documentRef: "CN-E2E-1",
  });
  await checkerPage.goto(`/exceptions/${exception.id}`);
  await expect(statusBadge(checkerPage)).toHaveText("Resolved");
  await expect(checkerPage.getByTestId("correction-stage")).toContainText("confirmed");

  const admin = await makeUser("admin");
  const adminPage = await signInElsewhere(admin, "/admin/audit?action=correction.");
  await adminPage.goto("/admin/audit?action=correction.");
  const audit = adminPage.getByTestId("audit-table");
  // The log reads in words; each row keeps its action as data.
  await expect(
    audit.locator('tr[data-action="correction.proposed"]', { hasText: maker.email }),
  ).toContainText("Proposed a correction");
  await expect(
    audit.locator('tr[data-action="correction.approved"]', { hasText: checker.email }),
  ).toContainText("Approved a correction");
});

test("a rejected correction returns the exception to open, where a new one may be proposed", async ({
  proposed,
  signInElsewhere,
}) => {
  const { exception, checker } = proposed;

  const checkerPage = await signInElsewhere(checker, `/exceptions/${exception.id}`);
  await decide(checkerPage, exception.id, "Reject", "The ledger already has it");
  await expect(statusBadge(checkerPage)).toHaveText("Open");
  await expect(checkerPage.getByRole("form", { name: "Propose a correction" })).toBeVisible();

  await checkerPage.goto(`/close?entity=${exception.entity}&period=2026-10`);
  await expect(checkerPage.getByTestId("check-no_pending_approvals")).toHaveAttribute(
    "data-passed",
    "true",
  );
});
