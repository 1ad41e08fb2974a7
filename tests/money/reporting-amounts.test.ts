import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { convertInDatabase } from "@/db/queries/fx";
import { auditLog, exceptions, fxRates } from "@/db/schema";
import type { AuditActor } from "@/lib/audit";
import { convertMinor } from "@/lib/money/fx";
import { enterRate, loadReportingCurrency, saveReportingCurrency } from "@/lib/money/reporting";
import { InvalidInput } from "@/lib/errors";
import { testDbForSuite } from "../support/db";
import { event, ingest, makeUser, seedException, unique } from "../exceptions/support";

/*
 * The stored conversion of each exception's amount into the reporting currency: the database
 * rounds as lib/money/fx.ts does, a rate arriving as an fx.rate event or typed in by an admin
 * converts the exceptions it applies to, a rate from a later day does not, and changing the
 * reporting currency converts everything again. Each change by a person is audited.
 */

const t = testDbForSuite();
let admin: { userId: string; actor: AuditActor; meta: { ip: string; userAgent: string } };
beforeAll(async () => {
  const user = await makeUser(t.db, "admin");
  admin = {
    userId: user.id,
    actor: { type: "user", id: user.id, label: user.email },
    meta: { ip: "10.0.0.9", userAgent: "vitest" },
  };
});

const fxEvent = (
  currency: string,
  rate: string,
  effectiveDate: string,
  reportingCurrency = "USD",
) =>
  event(
    "fx.rate",
    { currency, reportingCurrency, rate, effectiveDate },
    `${effectiveDate}T00:05:00Z`,
  );

const reread = async (id: string) => {
  const [row] = await t.db.select().from(exceptions).where(eq(exceptions.id, id));
  return row!;
};

/** An exception of `amountMinor` in `currency`, opened at the instant `openedAt`. */
const seedIn = (currency: string, amountMinor: number, openedAt: string) =>
  seedException(t.db, { amountMinor, currency, openedAt: new Date(openedAt) });

describe("closeline_fx_apply rounds as lib/money/fx.ts does", () => {
  it("agrees on every hand-picked case, the bigint limits included", async () => {
    const max = (2n ** 63n - 1n).toString();
    const cases = [
      { amountMinor: "100000", from: "EUR", to: "USD", rate: "1.0825" },
      { amountMinor: "1", from: "EUR", to: "USD", rate: "1.5" },
      { amountMinor: "-1", from: "EUR", to: "USD", rate: "1.5" },
      { amountMinor: "1", from: "JPY", to: "USD", rate: "0.005" },
      { amountMinor: "1", from: "JPY", to: "USD", rate: "0.0049" },
      { amountMinor: "50", from: "USD", to: "JPY", rate: "1" },
      { amountMinor: "1234", from: "KWD", to: "USD", rate: "3.25" },
      { amountMinor: "1000", from: "USD", to: "KWD", rate: "0.3075" },
      { amountMinor: "999999", from: "KWD", to: "JPY", rate: "486.123456789012" },
      { amountMinor: max, from: "EUR", to: "USD", rate: "1" },
      { amountMinor: max, from: "EUR", to: "USD", rate: "0.5" },
      { amountMinor: max, from: "EUR", to: "USD", rate: "1.000000000001" },
      { amountMinor: `-${max}`, from: "USD", to: "KWD", rate: "1" },
    ];
    const inDatabase = await convertInDatabase(t.db, cases);
    const inLib = cases.map(
      (c) => convertMinor(BigInt(c.amountMinor), c.from, c.to, c.rate)?.toString() ?? null,
    );
    expect(inDatabase).toEqual(inLib);
    expect(inDatabase[0]).toBe("108250");
    expect(inDatabase.at(-1)).toBeNull();
  });
});

describe("exceptions carry their amount in the reporting currency", () => {
  it("the reporting currency is itself at rate 1; no amount stays unknown", async () => {
    const usd = await seedException(t.db, { amountMinor: 12_345, currency: "USD" });
    expect(usd).toMatchObject({
      reportingCurrency: "USD",
      reportingAmountMinor: 12_345,
      reportingRateDate: null,
    });
    expect(Number(usd.reportingRate)).toBe(1);
    const none = await seedException(t.db, { amountMinor: null, currency: null });
    expect(none).toMatchObject({ reportingAmountMinor: null, reportingRate: null });
  });

  it("an fx.rate event converts the exceptions opened on or after its day, not before", async () => {
    const currency = "SEK";
    const before = await seedIn(currency, 100_000, "2026-10-31T23:59:59Z");
    const onTheDay = await seedIn(currency, 100_000, "2026-11-01T00:00:00Z");
    // No rate yet: the converted amount is missing, not zero.
    expect(onTheDay.reportingAmountMinor).toBeNull();

    await ingest(t.db, [fxEvent(currency, "0.0945", "2026-11-01")]);
    expect((await reread(before.id)).reportingAmountMinor).toBeNull();
    const converted = await reread(onTheDay.id);
    // 1,000.00 SEK × 0.0945 = 94.50 USD.
    expect(converted.reportingAmountMinor).toBe(9_450);
    expect(converted.reportingRateDate).toBe("2026-11-01");
    expect(Number(converted.reportingRate)).toBe(0.0945);

    // A later day's rate leaves earlier exceptions at the rate then in effect.
    await ingest(t.db, [fxEvent(currency, "0.1", "2026-11-10")]);
    expect((await reread(onTheDay.id)).reportingAmountMinor).toBe(9_450);
    const later = await seedIn(currency, 100_000, "2026-11-12T08:00:00Z");
    expect(later).toMatchObject({ reportingAmountMinor: 10_000, reportingRateDate: "2026-11-10" });
  });

  it("of two events for one pair and day the later stands, whatever order they arrive in", async () => {
    const currency = "NOK";
    const x = await seedIn(currency, 100_000, "2026-11-03T10:00:00Z");
    const newer = { ...fxEvent(currency, "0.0900", "2026-11-01"), time: "2026-11-01T12:00:00Z" };
    const older = { ...fxEvent(currency, "0.0800", "2026-11-01"), time: "2026-11-01T06:00:00Z" };
    await ingest(t.db, [newer], [older]);
    expect((await reread(x.id)).reportingAmountMinor).toBe(9_000);
  });

  it("an admin's rate converts the exceptions and is audited with the rate it replaced", async () => {
    const currency = "DKK";
    const x = await seedIn(currency, 50_000, "2026-11-05T10:00:00Z");
    await ingest(t.db, [fxEvent(currency, "0.14", "2026-11-01")]);
    expect((await reread(x.id)).reportingAmountMinor).toBe(7_000);
    const entered = await enterRate(
      t.db,
      { currency, reportingCurrency: "USD", rate: "0.145", effectiveDate: "2026-11-01" },
      admin,
    );
    expect(entered.rate).toMatchObject({ source: "admin", enteredBy: admin.userId });
    expect(entered.replaced).toEqual({ rate: "0.14", source: "event" });
    // 500.00 DKK × 0.145 = 72.50 USD.
    expect((await reread(x.id)).reportingAmountMinor).toBe(7_250);
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, "fx.rate_entered"),
          eq(auditLog.targetId, `${currency}/USD/2026-11-01`),
        ),
      );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: admin.userId,
      before: { rate: "0.14", source: "event" },
      after: { rate: "0.145", source: "admin" },
    });
  });

  it("refuses a rate that is not a positive decimal string, storing nothing", async () => {
    for (const rate of ["0", "-1.2", "1e2", "abc"]) {
      await expect(
        enterRate(
          t.db,
          { currency: "CHF", reportingCurrency: "USD", rate, effectiveDate: "2026-11-01" },
          admin,
        ),
      ).rejects.toBeInstanceOf(InvalidInput);
    }
    await expect(
      enterRate(
        t.db,
        { currency: "USD", reportingCurrency: "USD", rate: "1", effectiveDate: "2026-11-01" },
        admin,
      ),
    ).rejects.toBeInstanceOf(InvalidInput);
    expect(await t.db.select().from(fxRates).where(eq(fxRates.currency, "CHF"))).toEqual([]);
  });

  it("a new reporting currency converts every exception again, audited", async () => {
    const problem = unique("jpy");
    const yen = await seedException(t.db, {
      title: problem,
      amountMinor: 150_000,
      currency: "JPY",
      openedAt: new Date("2026-11-05T10:00:00Z"),
    });
    const dollars = await seedException(t.db, {
      amountMinor: 1_000,
      currency: "USD",
      openedAt: new Date("2026-11-05T10:00:00Z"),
    });
    await ingest(t.db, [fxEvent("USD", "149.5", "2026-11-01", "JPY")]);
    expect(await loadReportingCurrency(t.db)).toBe("USD");
    await saveReportingCurrency(t.db, { currency: "JPY" }, admin);
    try {
      expect(await loadReportingCurrency(t.db)).toBe("JPY");
      expect(await reread(yen.id)).toMatchObject({
        reportingCurrency: "JPY",
        reportingAmountMinor: 150_000,
      });
      // 10.00 USD × 149.5 = ¥1,495.
      expect(await reread(dollars.id)).toMatchObject({
        reportingCurrency: "JPY",
        reportingAmountMinor: 1_495,
        reportingRateDate: "2026-11-01",
      });
      const [entry] = await t.db
        .select()
        .from(auditLog)
        .where(
          and(eq(auditLog.action, "setting.updated"), eq(auditLog.targetId, "reporting-currency")),
        );
      expect(entry).toMatchObject({ before: { currency: "USD" }, after: { currency: "JPY" } });
    } finally {
      await saveReportingCurrency(t.db, { currency: "USD" }, admin);
    }
    expect(await reread(yen.id)).toMatchObject({
      reportingCurrency: "USD",
      reportingAmountMinor: null,
    });
  });

  it("an incomplete usage window is priced at the meter's unit price, else unknown", async () => {
    const priced = unique("meter");
    const unpriced = unique("meter");
    const window = (meter: string, unitPrice?: string) =>
      event(
        "usage.checkpoint",
        {
          entity: "ACME-EU",
          meter,
          windowStart: "2026-11-02T10:00:00Z",
          windowEnd: "2026-11-02T11:00:00Z",
          expectedCount: 120_000,
          receivedCount: 100_001,
          ...(unitPrice ? { unitPrice, currency: "EUR" } : {}),
        },
        "2026-11-02T11:01:00Z",
      );
    await ingest(t.db, [fxEvent("EUR", "1.1", "2026-11-01")]);
    await ingest(t.db, [window(priced, "0.0025"), window(unpriced)]);
    const rows = await t.db
      .select()
      .from(exceptions)
      .where(eq(exceptions.type, "usage_incomplete"));
    const of = (meter: string) => rows.find((r) => r.title.includes(meter))!;
    // 19,999 missing × 0.0025 EUR = 49.9975 EUR → 50.00 EUR; × 1.1 = 55.00 USD.
    expect(of(priced)).toMatchObject({
      amountMinor: 5_000,
      currency: "EUR",
      reportingAmountMinor: 5_500,
      reportingRateDate: "2026-11-01",
    });
    expect(of(unpriced)).toMatchObject({
      amountMinor: null,
      currency: null,
      reportingAmountMinor: null,
    });
  });
});
