import { ADVISORY_LOCKS } from "@/db/advisory-locks";
import fs from "node:fs";
import type postgres from "postgres";

/*
 * What bounds a run: the machine's cores, or waiting. More clients can only ingest more while
 * the cores have time to spare and the backends are not queueing on each other's locks; this
 * says which of the two stopped a run. While the work goes on it reads the host's CPU time
 * from /proc/stat, and every SAMPLE_EVERY_MS what each client backend of the database is
 * doing (pg_stat_activity): running, waiting on a heavyweight lock (an advisory lock, another
 * transaction's row), on a lightweight lock or I/O, or inside a transaction waiting for the
 * application's next statement. Idle connections (a pool's spare ones, the watcher's own) are
 * not counted: they hold nothing up.
 */

const SAMPLE_EVERY_MS = 50;

/** Where a backend was at one sample. */
type BackendState = "running" | "lock" | "lwlock" | "io" | "other wait" | "waiting for the app";

export interface Saturation {
  /** The host's busy share of all its cores over the run, 0 to 1 (null without /proc/stat). */
  cpuBusy: number | null;
  /** How the backends' samples were spread over states, each 0 to 1. */
  backends: Map<BackendState, number>;
  /** The heavyweight lock waits by kind (advisory, transactionid, tuple …), each 0 to 1. */
  locks: Map<string, number>;
  samples: number;
}

function hostCpuTimes(): { busy: number; total: number } | null {
  let line: string | undefined;
  try {
    line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0];
  } catch {
    return null;
  }
  if (!line?.startsWith("cpu ")) return null;
  // user nice system idle iowait irq softirq steal: idle and iowait are time the cores had spare.
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

function stateOf(row: {
  state: string | null;
  wait_event_type: string | null;
}): BackendState | null {
  if (row.state === "idle in transaction") return "waiting for the app";
  if (row.state !== "active") return null;
  switch (row.wait_event_type) {
    case null:
      return "running";
    case "Lock":
      return "lock";
    case "LWLock":
      return "lwlock";
    case "IO":
      return "io";
    default:
      return "other wait";
  }
}

/** Each advisory lock key by its name in db/advisory-locks.ts, so a wait says which. */
const LOCK_NAMES = new Map<number, string>(
  Object.entries(ADVISORY_LOCKS).map(([name, key]) => [key, name]),
);

/** Starts sampling; stop() ends it and answers the spread. `sql` is a connection to the database watched. */
export function watchSaturation(sql: postgres.Sql): { stop: () => Promise<Saturation> } {
  const startCpu = hostCpuTimes();
  const backends = new Map<BackendState, number>();
  const locks = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql<
        {
          state: string | null;
          wait_event_type: string | null;
          wait_event: string | null;
          advisory_key: string | null;
        }[]
      >`
        select a.state, a.wait_event_type, a.wait_event,
          -- The advisory lock waited for: a one-key lock's bigint, a two-key lock's first key.
          (select case when l.objsubid = 1 then (l.classid::bigint << 32) + l.objid::bigint
              else l.classid::bigint end
            from pg_locks l
            where l.pid = a.pid and not l.granted and l.locktype = 'advisory' limit 1)::text
            as advisory_key
        from pg_stat_activity a
        where a.datname = current_database() and a.backend_type = 'client backend'
          and a.pid <> pg_backend_pid()`;
      for (const row of rows) {
        const state = stateOf(row);
        if (!state) continue;
        backends.set(state, (backends.get(state) ?? 0) + 1);
        if (state === "lock") {
          const kind =
            row.wait_event === "advisory" && row.advisory_key
              ? `advisory ${LOCK_NAMES.get(Number(row.advisory_key)) ?? row.advisory_key}`
              : (row.wait_event ?? "unknown");
          locks.set(kind, (locks.get(kind) ?? 0) + 1);
        }
        samples++;
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const endCpu = hostCpuTimes();
      const share = (counts: Map<string, number>) =>
        new Map([...counts].map(([k, n]) => [k, samples ? n / samples : 0]));
      return {
        cpuBusy:
          startCpu && endCpu && endCpu.total > startCpu.total
            ? (endCpu.busy - startCpu.busy) / (endCpu.total - startCpu.total)
            : null,
        backends: share(backends) as Map<BackendState, number>,
        locks: share(locks),
        samples,
      };
    },
  };
}

const percent = (share: number) => `${Math.round(100 * share)} %`;

/** One line: "host CPU 97 % busy; backends running 41 %, lock 3 % (advisory 2 %), …". */
export function describeSaturation(s: Saturation): string {
  const spread = [...s.backends]
    .sort((a, b) => b[1] - a[1])
    .map(([state, share]) => {
      const kinds =
        state === "lock" && s.locks.size
          ? ` (${[...s.locks].map(([kind, n]) => `${kind} ${percent(n)}`).join(", ")})`
          : "";
      return `${state} ${percent(share)}${kinds}`;
    })
    .join(", ");
  const cpu = s.cpuBusy === null ? "host CPU unknown" : `host CPU ${percent(s.cpuBusy)} busy`;
  return `${cpu}; backends ${spread || "not seen"}`;
}
