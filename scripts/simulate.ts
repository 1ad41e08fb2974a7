/**
 * The demo simulator: plays a seeded SaaS company into Closeline through the ingestion API.
 *
 *   tsx scripts/simulate.ts --url http://127.0.0.1:3000 --key <ingest key>
 *     [--seed 42] [--backfill-days 60] [--live] [--interval 5] [--rate <events/s>] [--customers 300]
 *
 * The key may also come from CLOSELINE_INGEST_KEY. The same seed plays the same company and
 * the same event ids, so running it again only produces duplicates the API ignores.
 */
import { parseArgs } from "node:util";
import { runSimulator } from "@/lib/simulator/runner";

const USAGE =
  "usage: tsx scripts/simulate.ts --url <base url> --key <ingest key> [--seed 42] " +
  "[--backfill-days 60] [--live] [--interval <seconds>] [--rate <events/s>] [--customers <n>]";

function main() {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "http://127.0.0.1:3000" },
      key: { type: "string", default: process.env.CLOSELINE_INGEST_KEY },
      seed: { type: "string", default: "42" },
      "backfill-days": { type: "string", default: "60" },
      live: { type: "boolean", default: false },
      interval: { type: "string", default: "5" },
      rate: { type: "string" },
      customers: { type: "string", default: "300" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const number = (name: string, text: string | undefined, min: number) => {
    const n = Number(text);
    if (text === undefined || !Number.isFinite(n) || n < min) {
      console.error(`--${name} must be a number ≥ ${min}\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  if (!values.key) {
    console.error(`an ingest API key is required (--key or CLOSELINE_INGEST_KEY)\n${USAGE}`);
    process.exit(2);
  }
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => controller.abort());
  }
  runSimulator({
    url: values.url,
    key: values.key,
    seed: Math.floor(number("seed", values.seed, 0)),
    backfillDays: number("backfill-days", values["backfill-days"], 0),
    live: values.live,
    intervalMs: number("interval", values.interval, 0.1) * 1000,
    rate: values.rate === undefined ? undefined : number("rate", values.rate, 1),
    customers: Math.floor(number("customers", values.customers, 1)),
    signal: controller.signal,
  }).catch((error: unknown) => {
    if (controller.signal.aborted) return;
    console.error(`[simulator] stopped: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}

main();
