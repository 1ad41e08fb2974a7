import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { onAbort } from "./abort";

/** The local server the benchmark runs against; override with CLOSELINE_BENCH_PG. */
const SERVER_URL = process.env.CLOSELINE_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database (`closeline_bench_<random>`), so runs never see each other's rows. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `closeline_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const drop = async () => {
    const dropper = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
    try {
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
    } finally {
      await dropper.end();
    }
  };
  const forget = onAbort(drop);
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await drop();
      forget();
    },
  };
}
