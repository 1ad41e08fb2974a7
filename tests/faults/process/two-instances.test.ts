import { expect, test } from "vitest";
import type { CloudEvent } from "@/lib/simulator";
import { postBatch, type IngestAnswer } from "../support/client";
import { expectCleanRunOutcome, faultRun } from "../support/run";
import { chunks, seededRandom, shuffled } from "../support/seeded";
import type { AppServer } from "../support/server";
import { KPI_WINDOW, exceptionsRaisedTwice, workloadEvents } from "../support/workload";

/*
 * Two app instances on one database. Clients spread the batches over both,
 * and send a share of them to both at the same moment (a load balancer retrying on the other
 * instance). Ingestion and exception raising stay exactly-once, and the KPI API answers the
 * same numbers from either instance. (The outbox dispatcher's two-instance guarantee is
 * tests/outbox/two-dispatchers.test.ts.)
 */

const SEED = Number(process.env.CLOSELINE_FAULT_SEED ?? 6004);
const CLIENTS = 4;
const BATCH_SIZE = 50;
/** The share of batches sent to both instances concurrently. */
const OVERLAP = 0.3;

const events = workloadEvents(11);
const run = faultRun(events, { instances: 2 });

async function kpisFrom(server: AppServer): Promise<unknown> {
  const query = new URLSearchParams({
    from: KPI_WINDOW.from.toISOString(),
    to: KPI_WINDOW.to.toISOString(),
  });
  const response = await fetch(`${server.url}/api/v1/kpis?${query}`, {
    headers: { authorization: `Bearer ${run.readKey}` },
  });
  expect(response.status).toBe(200);
  return response.json();
}

/** Exception ages are measured against the clock of the request, so they differ by its timing. */
function withoutAges(report: unknown): unknown {
  return JSON.parse(JSON.stringify(report), (key, value: unknown) =>
    key === "oldestAgeMs" || key === "medianAgeMs" ? undefined : value,
  );
}

test(`two instances on one database ingest and raise exactly once and read alike (seed ${SEED})`, async () => {
  const instances: [AppServer, AppServer] = [run.servers[0]!, run.servers[1]!];
  const ingestKey = run.ingestKey;
  const random = seededRandom(SEED);
  const plan = chunks(shuffled(events, random), BATCH_SIZE).map((batch) => {
    const r = random();
    const targets =
      r < OVERLAP ? instances : r < (1 + OVERLAP) / 2 ? [instances[0]] : [instances[1]];
    return { batch, targets };
  });
  const answers: { batch: CloudEvent[]; results: IngestAnswer[] }[] = [];
  const failures: string[] = [];
  const perInstance = new Map<string, number>();
  let next = 0;

  const client = async () => {
    while (next < plan.length) {
      const { batch, targets } = plan[next++]!;
      const results = await Promise.all(
        targets.map(async (server) => {
          const answer = await postBatch(server.url, ingestKey, batch);
          perInstance.set(server.url, (perInstance.get(server.url) ?? 0) + 1);
          if (answer.kind !== "response" || answer.status !== 200) {
            failures.push(JSON.stringify(answer));
            return { accepted: 0, duplicates: 0, rejected: [] };
          }
          return JSON.parse(answer.body) as IngestAnswer;
        }),
      );
      answers.push({ batch, results });
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));

  expect(failures).toEqual([]);
  expect([...perInstance.values()].every((n) => n > 0)).toBe(true);
  // Each event accepted once between the two instances, the other copy answered a duplicate.
  for (const { batch, results } of answers) {
    for (const result of results) {
      expect(result.rejected).toEqual([]);
      expect(result.accepted + result.duplicates).toBe(batch.length);
    }
    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(batch.length);
  }
  const overlapping = answers.filter((a) => a.results.length === 2);
  console.log(
    `[two-instances] seed ${SEED}: ${events.length} events in ${plan.length} batches, ` +
      `${overlapping.length} sent to both at once; requests per instance ` +
      `${[...perInstance.values()].join(" / ")}`,
  );

  expect(await exceptionsRaisedTwice(run.db)).toEqual([]);
  // The open exceptions, one per problem, the same as a clean run's (count and amounts).
  await expectCleanRunOutcome(run);

  // The dashboard's numbers, read through each instance.
  const [fromFirst, fromSecond] = await Promise.all(instances.map(kpisFrom));
  expect(withoutAges(fromSecond)).toEqual(withoutAges(fromFirst));
}, 600_000);
