/**
 * Repairs a defect of postgres.js 3.4.9 (the newest release) in its write scheduler; runs as
 * `postinstall`, so `npm install` / `npm ci` apply it before a build bundles the driver.
 *
 * Small writes are deferred behind a setImmediate whose handle doubles as an "already
 * scheduled" flag. When a socket closes with such a write pending — every connection does
 * when PostgreSQL restarts — the close handler cancels the immediate but leaves the flag set,
 * so that pooled connection never flushes again: each later use hangs for connect_timeout
 * (30 s) and fails, for the life of the process. A write reaching a closed socket also throws
 * outside any promise (an uncaughtException). Upstream: porsager/postgres#1154 and #1208,
 * fix proposed in PR #1209. And a connection cut mid-query keeps the server's last error
 * ("terminating connection due to administrator command") and fails the first query after
 * its reconnect with it, minutes later. Found by tests/faults/process/db-restart.test.ts.
 *
 * The patch resets the flag, the buffered bytes and that error when a connection closes,
 * and turns a write to a closed socket into the CONNECTION_CLOSED error its query can catch.
 * It applies to version 3.4.9 only; any other version is left alone with a warning, so an
 * upgrade that carries the upstream fixes needs nothing here but deleting this script.
 */
import fs from "node:fs";
import path from "node:path";

const PATCHED_VERSION = "3.4.9";
const MARK = "/* closeline: scripts/patch-postgres-driver.mjs */";
const root = path.join(process.cwd(), "node_modules", "postgres");
const files = ["src/connection.js", "cjs/src/connection.js", "cf/src/connection.js"];

const edits = [
  {
    // A write that finds the socket gone fails its query instead of throwing from a timer.
    find: "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n",
    replace:
      `  function nextWrite(fn) {\n    ${MARK}\n    if (socket === null) {\n` +
      "      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n" +
      "      chunk = nextWriteTimer = null\n" +
      "      error(Errors.connection('CONNECTION_CLOSED', options))\n" +
      "      return false\n    }\n" +
      "    const x = socket.write(chunk, fn)\n",
  },
  {
    // terminate(): forget the pending write along with its timer.
    find: "    clearImmediate(nextWriteTimer)\n    if (socket) {\n",
    replace:
      "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {\n",
  },
  {
    // closed(): the same, so the reconnect's handshake is flushed again; and forget the error
    // the dying server sent (57P01), which would otherwise fail the first query of the
    // connection's next life.
    find: "    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)\n",
    replace:
      "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n" +
      "    errorResponse = null\n" +
      "    socket.removeListener('data', data)\n",
  },
];

function main() {
  const packageFile = path.join(root, "package.json");
  if (!fs.existsSync(packageFile)) return;
  const { version } = JSON.parse(fs.readFileSync(packageFile, "utf8"));
  if (version !== PATCHED_VERSION) {
    console.warn(
      `patch-postgres-driver: postgres is ${version}, not ${PATCHED_VERSION}; not patched. ` +
        "Check porsager/postgres#1208 and run tests/faults (db-restart) before removing this script.",
    );
    return;
  }
  for (const file of files) {
    const full = path.join(root, file);
    if (!fs.existsSync(full)) continue;
    let source = fs.readFileSync(full, "utf8");
    if (source.includes(MARK)) continue;
    for (const { find, replace } of edits) {
      if (source.split(find).length !== 2) {
        throw new Error(`patch-postgres-driver: ${file} does not read as expected; not patched`);
      }
      source = source.replace(find, replace);
    }
    fs.writeFileSync(full, source);
  }
}

main();
