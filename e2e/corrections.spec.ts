import { eq } from "drizzle-orm";
import { exceptions } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createEndpoint } from "@/lib/outbox/endpoints";
import { expect, signIn, test } from "./fixtures/auth";

/*
 * Issue 5: a finance user proposes a correction, cannot approve it, a second finance user
 * approves it, and the audit log shows all of it.
 */

test("maker-checker on a correction, end to end", async ({
  browser,
  db,
  makeUser,
  createApiKey,
  request,
}) => {
  // Approved corrections leave through the outbox; the run's database needs a receiver for them.
  await createEndpoint(
    db,
    {
      name: "e2e corrections receiver",
      url: "http://127.0.0.1:9/corrections",
      kinds: ["correction.execute"],
    },
    { createdBy: null, actor: SYSTEM_ACTOR },
  ).catch(() => undefined /* another spec of this run made it */);

  const runId = `e2e-run-${Date.now()}`;
  const key = await createApiKey(["ingest"]);
  const sent = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${key.key}`, "content-type": "application/cloudevents+json" },
    data: JSON.stringify({
      specversion: "1.0",
      id: runId,
      source: "urn:e2e:reconciliation",
      type: "reconciliation.result",
      time: new Date().toISOString(),
      data: {
        runId,
        kind: "billing_vs_erp",
        entity: "E2E-EU",
        periodStart: "2026-10-01T00:00:00Z",
        periodEnd: "2026-11-01T00:00:00Z",
        key: "cus_e2e",
        currency: "EUR",
        expectedMinor: 150_000,
        actualMinor: 120_000,
      },
    }),
  });
  expect(sent.status()).toBe(200);
  const [exception] = await db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(eq(exceptions.runId, runId));
  expect(exception).toBeDefined();

  const maker = await makeUser("finance");
  const checker = await makeUser("finance");

  const makerPage = await (await browser.newContext()).newPage();
  await signIn(makerPage, maker, `/exceptions/${exception!.id}`);
  await makerPage.goto(`/exceptions/${exception!.id}`);
  const propose = makerPage.getByRole("form", { name: "Propose a correction" });
  await propose.getByLabel("Amount").fill("300.00");
  await propose
    .getByLabel("Reason")
    .fill("Credit the customer the difference the ERP did not book");
  await propose.getByRole("button", { name: "Propose correction" }).click();
  // The page re-renders with the proposal (and without the form: one pending proposal at a time).
  const proposal = makerPage.getByTestId("correction");
  await expect(proposal).toContainText("Credit note of 300.00 EUR");
  await expect(proposal).toContainText("pending approval");
  // The proposer is not offered the decision, and is told why.
  await expect(makerPage.getByRole("form", { name: "Decide on the correction" })).toHaveCount(0);
  await expect(proposal).toContainText("another finance user must approve it");

  const checkerPage = await (await browser.newContext()).newPage();
  await signIn(checkerPage, checker, `/exceptions/${exception!.id}`);
  await checkerPage.goto(`/exceptions/${exception!.id}`);
  const decide = checkerPage.getByRole("form", { name: "Decide on the correction" });
  await decide.getByLabel("Reason for your decision").fill("Matches the ledger");
  await decide.getByRole("button", { name: "Approve" }).click();
  await expect(checkerPage.getByTestId("correction")).toContainText("approved");
  await expect(checkerPage.getByTestId("correction")).toContainText(
    /Command (queued|being delivered|delivered|delivery failed)/,
  );

  const admin = await makeUser("admin");
  const adminPage = await (await browser.newContext()).newPage();
  await signIn(adminPage, admin, "/admin/audit?action=correction.");
  await adminPage.goto("/admin/audit?action=correction.");
  const audit = adminPage.getByTestId("audit-table");
  await expect(
    audit.getByRole("row", { name: new RegExp(`${maker.email}.*correction\\.proposed`) }),
  ).toBeVisible();
  await expect(
    audit.getByRole("row", { name: new RegExp(`${checker.email}.*correction\\.approved`) }),
  ).toBeVisible();
});
