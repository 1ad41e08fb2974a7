import { ingestBenchmark } from "./ingest";
import { kpisBenchmark } from "./kpis";
import { queuesBenchmark } from "./queues";
import { readersBenchmark } from "./readers";
import { searchBenchmark } from "./search";
import { sizesBenchmark } from "./sizes";
import { runMain, type BenchSuite } from "./support/suite";

/*
 * `npm run bench` runs every suite in order; `npm run bench -- ingest` runs only the named
 * ones. A new suite is a module exporting a BenchSuite, added to this list.
 */
const SUITES: BenchSuite[] = [
  ingestBenchmark,
  queuesBenchmark,
  kpisBenchmark,
  searchBenchmark,
  sizesBenchmark,
  readersBenchmark,
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !SUITES.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown suite ${unknown.join(", ")}; known: ${SUITES.map((s) => s.name).join(", ")}`,
    );
  }
  for (const suite of SUITES) {
    if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
    console.log(`\n== ${suite.name}: ${suite.description}\n`);
    await suite.run();
  }
}

runMain(main, "BENCHMARK FAILED");
