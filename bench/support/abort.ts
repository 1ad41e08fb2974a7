/*
 * Ctrl-C (or a kill) during a benchmark must not leave a server holding its port or a
 * closeline_bench_* database behind. Whatever a suite sets up registers its undo here; on
 * SIGINT or SIGTERM the undos run newest first, then the process exits.
 */

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];
let installed = false;

async function abort(): Promise<void> {
  console.error("\n  interrupted: cleaning up …");
  for (const cleanup of [...cleanups].reverse()) {
    await cleanup().catch((error: unknown) => console.error(`  cleanup failed: ${String(error)}`));
  }
  process.exit(130);
}

/** Registers `cleanup` to run if the bench is interrupted; call the result once it is done. */
export function onAbort(cleanup: Cleanup): () => void {
  if (!installed) {
    installed = true;
    process.once("SIGINT", () => void abort());
    process.once("SIGTERM", () => void abort());
  }
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.indexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
  };
}
