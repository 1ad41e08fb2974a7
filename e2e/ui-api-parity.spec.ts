import { and, eq, inArray } from "drizzle-orm";
import type { APIRequestContext, Locator, Page } from "@playwright/test";
import type { Db } from "@/db/client";
import { auditLog, corrections } from "@/db/schema";
import { expect, signIn, test } from "./fixtures/auth";
import { correctionsReceiver } from "./fixtures/outbox";
import { exceptionOfRun, ingestAccepted, newRunToken, octoberBreak } from "./fixtures/telemetry";

/*
 * What a person clicks in the browser and what a script does through the API with that
 * person's token end in the same state. Two twin reconciliation breaks (same amounts, one
 * entity each) are taken through the same steps by the same two finance users: one on the
 * exception pages, one through /api/v1 with personal tokens. The exceptions, their timelines
 * and audit entries, the corrections and both entities' close readiness must then agree, but
 * for the token's name in the API's audit labels.
 */

const COMMENT = "Asked the billing team why the ERP booked less.";
const PROPOSAL_REASON = "Credit the customer the difference the ERP did not book";
const DECISION_REASON = "Matches the ledger";
const RESOLUTION_NOTE = "Credit note booked in billing; the ERP matches again";
const PERIOD = "2026-10";

/** A reconciliation break of its own entity in October 2026, raised from telemetry. */
async function seedBreak(db: Db, entity: string) {
  const runId = `e2e-parity-${entity}`;
  await ingestAccepted(db, [
    {
      specversion: "1.0",
      id: runId,
      source: "/e2e/parity",
      type: "reconciliation.result",
      time: new Date().toISOString(),
      data: octoberBreak(runId, entity, "cus_parity"),
    },
  ]);
  return exceptionOfRun(db, runId);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Posts through the API and expects the status; answers the body. */
async function apiPost(
  request: APIRequestContext,
  token: string,
  path: string,
  data: object,
  status = 200,
) {
  const response = await request.post(path, { headers: bearer(token), data });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(status);
  return (await response.json()) as Record<string, unknown>;
}

async function apiGet<T>(request: APIRequestContext, token: string, path: string): Promise<T> {
  const response = await request.get(path, { headers: bearer(token) });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return (await response.json()) as T;
}

interface Twin {
  id: string;
  entity: string;
}

interface Detail {
  exception: Record<string, unknown> & { id: string; version: number; status: string };
  timeline: { items: (Record<string, unknown> & { kind: string })[] };
}

const timelineEntries = (page: Page) =>
  page.getByTestId("exception-timeline").locator(":scope > li");

/**
 * Does one thing on the exception page and waits for its confirmation and for the page to
 * re-render with the entry it added: the next action must send the version it wrote.
 */
async function act(page: Page, confirmation: Locator, says: RegExp, doIt: () => Promise<void>) {
  const entries = await timelineEntries(page).count();
  await doIt();
  await expect(confirmation).toHaveText(says);
  await expect(timelineEntries(page)).toHaveCount(entries + 1);
}

/**
 * Clicks one work action on the exception page. Its confirmation comes with the re-rendered
 * page, never before it: a person acting on the confirmation sends the version it wrote.
 */
async function click(page: Page, button: string, says: RegExp) {
  const actions = page.getByTestId("exception-actions");
  const entries = await timelineEntries(page).count();
  await actions.getByRole("button", { name: button, exact: true }).click();
  await expect(actions.getByTestId("action-confirmation").first()).toHaveText(says);
  expect(await timelineEntries(page).count()).toBe(entries + 1);
}

/** The twin's own names (its exception's id, its entity) made generic. */
function generic(value: unknown, twin: Twin): unknown {
  return JSON.parse(
    JSON.stringify(value ?? null)
      .replaceAll(twin.id, "<exception>")
      .replaceAll(twin.entity, "<entity>"),
  );
}

/**
 * The exception's story without what must differ between the twins: ids, times, names of
 * their own, and (for the API's twin) the token's name in the audit labels.
 */
function story(detail: Detail, twin: Twin) {
  return detail.timeline.items.map((item) => {
    if (item.kind === "event") return { kind: item.kind, type: item.type };
    if (item.kind === "comment")
      return { kind: item.kind, authorId: item.authorId, body: item.body };
    return {
      kind: item.kind,
      action: item.action,
      actorType: item.actorType,
      actorId: item.actorId,
      before: generic(item.before, twin),
      after: generic(item.after, twin),
    };
  });
}

interface Readiness {
  verdict: string;
  checks: {
    key: string;
    passed: boolean;
    blockerCount: number;
    blockers: { kind: string; exceptionId: string | null; amountMinor: number }[];
  }[];
}

/** An entity's October readiness, with its own name and exception's id made generic. */
async function readiness(
  request: APIRequestContext,
  token: string,
  entity: string,
  exceptionId: string,
) {
  const body = await apiGet<Readiness>(
    request,
    token,
    `/api/v1/close-readiness?entity=${entity}&period=${PERIOD}`,
  );
  const checks = body.checks.map((check) => ({
    key: check.key,
    passed: check.passed,
    blockerCount: check.blockerCount,
    blockers: check.blockers.map((b) => ({
      kind: b.kind,
      amountMinor: b.amountMinor,
      exceptionId: b.exceptionId === exceptionId ? "<exception>" : b.exceptionId,
    })),
  }));
  return { verdict: body.verdict, checks };
}

/** People's audit entries on an exception's corrections, oldest first. */
async function correctionAudit(db: Db, correctionIds: string[]) {
  return db
    .select({
      action: auditLog.action,
      actorId: auditLog.actorId,
      actorLabel: auditLog.actorLabel,
    })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.targetType, "correction"),
        inArray(auditLog.targetId, correctionIds),
        eq(auditLog.actorType, "user"),
      ),
    )
    .orderBy(auditLog.at, auditLog.id);
}

// Two people sign in (bcrypt cost 12 each) and one of them works an exception on five pages.
test.slow();

test("an exception worked in the browser and its twin worked through the API end alike", async ({
  page,
  db,
  request,
  makeMakerChecker,
  signInElsewhere,
}) => {
  await correctionsReceiver(db);
  const run = newRunToken();
  const twin = async (entity: string): Promise<Twin> => ({
    entity,
    id: await seedBreak(db, entity),
  });
  const ui = await twin(`E2E-PARITY-${run}-UI`);
  const api = await twin(`E2E-PARITY-${run}-API`);
  const { maker, checker, makerToken, checkerToken } = await makeMakerChecker("parity-");

  // Before anyone acts the twins read alike: the comparison below starts from equal ground.
  expect(await readiness(request, makerToken, ui.entity, ui.id)).toEqual(
    await readiness(request, makerToken, api.entity, api.id),
  );

  // The maker, in the browser: take it, say something, start, propose a correction.
  await signIn(page, maker, `/exceptions/${ui.id}`);
  await page.goto(`/exceptions/${ui.id}`);
  await click(page, "Assign to me", /Assigned to you\./);
  const commentForm = page.getByRole("form", { name: "Add a comment" });
  await act(
    page,
    commentForm.getByTestId("action-confirmation"),
    /Comment added to the timeline\./,
    async () => {
      await commentForm.getByLabel(/^Comment/).fill(COMMENT);
      await commentForm.getByRole("button", { name: "Add comment" }).click();
    },
  );
  await click(page, "Start work", /Work started/);
  const proposal = page.getByRole("form", { name: "Propose a correction" });
  await proposal.getByLabel("Amount").fill("300.00");
  await proposal.getByLabel("Reason").fill(PROPOSAL_REASON);
  await proposal.getByRole("button", { name: "Propose correction" }).click();
  await expect(page.getByTestId("correction")).toContainText("pending approval");
  // The proposer is offered no decision on their own correction, and is told why.
  await expect(page.getByRole("form", { name: "Decide on the correction" })).toHaveCount(0);
  await expect(page.getByTestId("correction")).toContainText(
    "another finance user must approve it",
  );

  // The same maker, through the API with a token: the same steps.
  let version = (await apiGet<Detail>(request, makerToken, `/api/v1/exceptions/${api.id}`))
    .exception.version;
  const at = () => ({ "if-match": `"${version}"` });
  const step = async (action: string, data: object, status = 200) => {
    const response = await request.post(`/api/v1/exceptions/${api.id}/${action}`, {
      headers: { ...bearer(makerToken), ...at() },
      data,
    });
    expect(response.status(), `${action}: ${await response.text()}`).toBe(status);
    version = ((await response.json()) as Detail).exception.version;
  };
  await step("assign", { assignee: maker.email });
  await step("comments", { body: COMMENT }, 201);
  await step("start", {});
  const proposed = await apiPost(
    request,
    makerToken,
    `/api/v1/exceptions/${api.id}/corrections`,
    {
      kind: "credit_note",
      amountMinor: 30_000,
      currency: "EUR",
      targetSystem: "billing",
      reason: PROPOSAL_REASON,
    },
    201,
  );
  // The proposer's own approval is refused.
  await apiPost(
    request,
    makerToken,
    `/api/v1/corrections/${String(proposed.id)}/approve`,
    { reason: DECISION_REASON },
    403,
  );

  // Awaiting approval, both entities' close is held up the same way, by their own exception.
  const waiting = await readiness(request, makerToken, ui.entity, ui.id);
  expect(waiting).toEqual(await readiness(request, makerToken, api.entity, api.id));
  expect(waiting.checks.find((c) => c.key === "no_pending_approvals")?.passed).toBe(false);

  // The checker approves: in the browser for one twin, with a token for the other.
  const checkerPage = await signInElsewhere(checker, `/exceptions/${ui.id}`);
  await checkerPage.goto(`/exceptions/${ui.id}`);
  const decision = checkerPage.getByRole("form", { name: "Decide on the correction" });
  await decision.getByLabel("Reason for your decision").fill(DECISION_REASON);
  await decision.getByRole("button", { name: "Approve" }).click();
  await expect(checkerPage.getByTestId("correction")).toContainText("approved");
  await apiPost(request, checkerToken, `/api/v1/corrections/${String(proposed.id)}/approve`, {
    reason: DECISION_REASON,
  });

  // The maker resolves: on the page (reloaded: the approval moved it on) and through the API.
  await page.reload();
  await expect(page.getByTestId("exception-status")).toHaveText("Awaiting confirmation");
  const resolve = page.getByRole("form", { name: "Resolve", exact: true });
  await resolve.getByLabel("Reason").selectOption("fixed_in_source");
  await resolve.getByLabel(/^Note/).fill(RESOLUTION_NOTE);
  await resolve.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByTestId("exception-status")).toHaveText("Resolved");
  version = (await apiGet<Detail>(request, makerToken, `/api/v1/exceptions/${api.id}`)).exception
    .version;
  await step("resolve", { reason: "fixed_in_source", note: RESOLUTION_NOTE });

  // The exceptions: the same status, owner, reason, note and version.
  const clicked = await apiGet<Detail>(request, makerToken, `/api/v1/exceptions/${ui.id}`);
  const scripted = await apiGet<Detail>(request, makerToken, `/api/v1/exceptions/${api.id}`);
  const state = (d: Detail) => ({
    status: d.exception.status,
    ownerId: d.exception.ownerId,
    ownerEmail: d.exception.ownerEmail,
    resolutionCode: d.exception.resolutionCode,
    resolutionNote: d.exception.resolutionNote,
    version: d.exception.version,
  });
  expect(state(clicked)).toEqual({
    status: "resolved",
    ownerId: maker.id,
    ownerEmail: maker.email,
    resolutionCode: "fixed_in_source",
    resolutionNote: RESOLUTION_NOTE,
    version: expect.any(Number),
  });
  expect(state(scripted)).toEqual(state(clicked));

  // Their timelines: the same entries in the same order by the same people, before and after.
  expect(story(scripted, api)).toEqual(story(clicked, ui));
  expect(story(clicked, ui).map((s) => ("action" in s ? s.action : s.kind))).toEqual([
    "event",
    "exception.raised",
    "exception.assigned",
    "comment",
    "exception.started",
    "exception.resolved",
  ]);
  // Only the labels differ: the API's entries name the token the maker acted with.
  const labels = (d: Detail) =>
    d.timeline.items
      .filter((item) => item.kind === "audit" && item.actorType === "user")
      .map((item) => item.actorLabel);
  expect(labels(clicked)).toEqual([maker.email, maker.email, maker.email]);
  expect(labels(scripted)).toEqual(Array(3).fill(`${maker.email} via token parity-maker`));

  // The corrections: one each, approved alike, with the same people's audit entries.
  const both = await db
    .select({ id: corrections.id, exceptionId: corrections.exceptionId })
    .from(corrections)
    .where(inArray(corrections.exceptionId, [ui.id, api.id]));
  expect(both).toHaveLength(2);
  const correctionOf = (exceptionId: string) => both.find((c) => c.exceptionId === exceptionId)!;
  const correction = async (exceptionId: string) => {
    const c = await apiGet<Record<string, unknown>>(
      request,
      makerToken,
      `/api/v1/corrections/${correctionOf(exceptionId).id}`,
    );
    const decisions = c.decisions as { deciderId: string; decision: string; reason: string }[];
    return {
      status: c.status,
      kind: c.kind,
      amountMinor: c.amountMinor,
      currency: c.currency,
      targetSystem: c.targetSystem,
      reason: c.reason,
      requiredApprovals: c.requiredApprovals,
      proposedBy: c.proposedBy,
      decisions: decisions.map(({ deciderId, decision, reason }) => ({
        deciderId,
        decision,
        reason,
      })),
    };
  };
  const clickedCorrection = await correction(ui.id);
  expect(clickedCorrection).toMatchObject({
    status: "approved",
    proposedBy: maker.id,
    decisions: [{ deciderId: checker.id, decision: "approve", reason: DECISION_REASON }],
  });
  expect(await correction(api.id)).toEqual(clickedCorrection);
  const clickedAudit = await correctionAudit(db, [correctionOf(ui.id).id]);
  const scriptedAudit = await correctionAudit(db, [correctionOf(api.id).id]);
  const who = (rows: typeof clickedAudit) => rows.map((r) => [r.action, r.actorId]);
  expect(who(scriptedAudit)).toEqual(who(clickedAudit));
  expect(who(clickedAudit)).toEqual([
    ["correction.proposed", maker.id],
    ["correction.approved", checker.id],
  ]);
  expect(clickedAudit.map((r) => r.actorLabel)).toEqual([maker.email, checker.email]);
  expect(scriptedAudit.map((r) => r.actorLabel)).toEqual([
    `${maker.email} via token parity-maker`,
    `${checker.email} via token parity-checker`,
  ]);

  // Close readiness: both entities read alike again. The approvals no longer hold them up;
  // the break itself is measured from the reconciliation, which no one has re-run, and each
  // entity names its own exception for it, the same way.
  const done = await readiness(request, makerToken, ui.entity, ui.id);
  expect(done).toEqual(await readiness(request, makerToken, api.entity, api.id));
  expect(done.checks.find((c) => c.key === "no_pending_approvals")?.passed).toBe(true);
  expect(done.checks.find((c) => c.key === "no_material_reconciliation_breaks")).toMatchObject({
    passed: false,
    blockers: [{ kind: "reconciliation_break", amountMinor: 30_000, exceptionId: "<exception>" }],
  });
});
