import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxCommands, outboxDeliveries } from "@/db/schema";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import { FAST, enqueueRetries, sleep, startRegisteredReceiver, type TestReceiver } from "./support";

/*
 * The app is killed (SIGKILL, no chance to clean up) while it is delivering.
 * The commands it had claimed are not lost: once their lease lapses another instance
 * delivers them, and each reaches the receiver's 2xx exactly once. PostgreSQL only: the
 * killed process needs a database it does not own.
 */

const LEASE_MS = 2_000;
const t = testDbForSuite();
let receiver: TestReceiver;
let child: ChildProcess | null = null;

beforeAll(async () => {
  ({ receiver } = await startRegisteredReceiver(t.db));
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await receiver?.close();
});

function startDispatcherProcess(url: string): Promise<ChildProcess> {
  const script = path.resolve(__dirname, "fixtures/dispatcher-process.ts");
  // Node itself with tsx as a loader: the tsx command would put a wrapper process in between,
  // and SIGKILL must hit the process that holds the claims.
  // The react-server condition lets db/ load outside Next.js (db/index.ts).
  const proc = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", script, url, String(LEASE_MS)],
    {
      cwd: path.resolve(__dirname, "../.."),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`the dispatcher process exited early (${code})`)));
    proc.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("dispatching")) resolve(proc);
    });
  });
}

describe.skipIf(TEST_ENGINE !== "postgres")("an app killed mid-delivery", () => {
  // A child process to start (with migrations) and a lease to wait out: slow on a busy runner.
  it("loses no command: its claims lapse and another instance delivers each once", async () => {
    const ids = await enqueueRetries(t.db, 6, "kill");
    // The receiver takes the requests and sits on them: the process dies with them in flight.
    receiver.respond = "hang";
    child = await startDispatcherProcess(t.url!);
    const deadline = Date.now() + 15_000;
    while (receiver.deliveries.length < ids.length) {
      if (Date.now() > deadline)
        throw new Error(`only ${receiver.deliveries.length} deliveries started`);
      await sleep(20);
    }
    child.kill("SIGKILL");
    await new Promise((resolve) => child!.once("exit", resolve));
    child = null;

    const inFlight = await t.db
      .select()
      .from(outboxCommands)
      .where(inArray(outboxCommands.id, ids));
    expect(inFlight.every((c) => c.status === "delivering")).toBe(true);

    // A surviving instance: nothing to take while the dead process's lease holds …
    receiver.respond = "ok";
    expect((await dispatchDue(t.db, FAST)).claimed).toBe(0);
    // … and everything once it lapses.
    await sleep(LEASE_MS + 100);
    const summary = await dispatchDue(t.db, FAST);
    expect(summary).toMatchObject({ claimed: ids.length, delivered: ids.length });

    const after = await t.db.select().from(outboxCommands).where(inArray(outboxCommands.id, ids));
    expect(after.map((c) => c.status)).toEqual(ids.map(() => "delivered"));
    for (const id of ids) expect(receiver.acknowledged.get(id)).toBe(1);
    const log = await t.db
      .select()
      .from(outboxDeliveries)
      .where(inArray(outboxDeliveries.commandId, ids));
    expect(log.filter((d) => d.error?.startsWith("abandoned"))).toHaveLength(ids.length);
  }, 90_000);
});
