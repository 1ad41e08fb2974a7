import { beforeAll } from "vitest";
import type { Db } from "@/db/client";
import { testDbForSuite } from "../support/db";
import {
  ingest,
  invoiceIssued,
  makeUser,
  postingAttempt,
  seedException,
} from "../exceptions/support";
import { fingerprint, tableNames } from "./support";

export interface ReadSeed {
  /** The error code of PST-1's failed attempt (the default is the fixture's). */
  postingErrorCode?: string;
  /** Further telemetry, ingested after the invoices and the posting. */
  more?: unknown[][];
  title: (i: number) => string;
  openedAt: (i: number) => Date;
}

/**
 * The rows the hostile read tests query for: invoices INV-1 (ACME-US) and INV-2 (ACME-EU),
 * PST-1 of INV-1 failed at attempt 1, and three ACME-US exceptions of rising amount, the
 * first owned by an operations user. Answers the tables a test fingerprints afterwards.
 */
export async function seedReadTargets(db: Db, seed: ReadSeed): Promise<string[]> {
  const owner = await makeUser(db, "operations");
  await ingest(
    db,
    [invoiceIssued("INV-1"), invoiceIssued("INV-2", { entity: "ACME-EU" })],
    [postingAttempt("PST-1", "INV-1", 1, "failed", "2025-03-01T07:00:00Z", seed.postingErrorCode)],
    ...(seed.more ?? []),
  );
  for (let i = 0; i < 3; i++) {
    await seedException(db, {
      entity: "ACME-US",
      title: seed.title(i),
      amountMinor: 10_000 * (i + 1),
      ownerId: i === 0 ? owner.id : null,
      openedAt: seed.openedAt(i),
    });
  }
  return tableNames(db);
}

/** The query fuzzers' seed: titles holding LIKE wildcards, the exceptions opened an hour apart. */
export const WILDCARD_TITLES: ReadSeed = {
  title: (i) => `Seeded 100% match_${i}`,
  openedAt: (i) => new Date(Date.parse("2025-03-01T06:00:00Z") + i * 3_600_000),
};

/**
 * A hostile read test file's database (as testDbForSuite's), seeded before its tests, and
 * `snapshot()`, the fingerprint of every table, to compare before and after.
 */
export function seededSuite(seed: ReadSeed) {
  const t = testDbForSuite();
  let tables: string[] = [];
  beforeAll(async () => {
    tables = await seedReadTargets(t.db, seed);
  });
  return { t, snapshot: () => fingerprint(t.db, tables) };
}
