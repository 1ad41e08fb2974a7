import "server-only";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";

/*
 * The embedded database (PGlite) lives inside the app's process, and its folder may be open
 * in one process only. With CLOSELINE_PGLITE_SOCKET=on the app also answers the PostgreSQL
 * wire protocol on a Unix socket in the data folder, so psql, a script or the e2e fixtures
 * can read and write the same database while the app runs:
 *
 *   psql -h "$(realpath .data)" -U postgres postgres
 *
 * PGlite is one backend with one session. Clients therefore take turns, and a turn lasts from
 * a client's first message until the backend is idle again (ReadyForQuery with status 'I'):
 * a whole extended-protocol exchange up to its Sync, or a whole transaction from BEGIN to
 * COMMIT. During a turn nothing else runs, not even the app's own queries; a client that
 * leaves a transaction open holds the app up until it ends it (or disconnects, which rolls
 * it back). Session state (SET, prepared statements, advisory locks) is shared by everyone.
 *
 * Security: there is no password. The socket is made readable and writable by its owner only,
 * like control.json beside it, so whoever may read the database folder is who may connect.
 */

/** psql and postgres.js look for `<host dir>/.s.PGSQL.<port>`; 5432 is their default port. */
export const EMBEDDED_SOCKET_FILE = ".s.PGSQL.5432";

export function embeddedSocketPath(dataDir: string): string {
  return path.resolve(dataDir, EMBEDDED_SOCKET_FILE);
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'

export interface EmbeddedSocketServer {
  path: string;
  close(): Promise<void>;
}

/**
 * Takes PGlite's two locks, in the order its own transactions take them, and holds them until
 * the returned function is called. While held, nothing else runs a query on it.
 */
function takeTurn(pg: PGlite): Promise<() => void> {
  return new Promise((turnStarted, failed) => {
    pg._runExclusiveTransaction(() =>
      pg.runExclusive(() => new Promise<void>((endTurn) => turnStarted(endTurn))),
    ).catch(failed);
  });
}

/**
 * One client connection: its bytes in, PGlite's answers out, one turn at a time. Resolves once
 * the connection has closed and its turn, if it held one, has ended.
 */
function serveConnection(pg: PGlite, socket: net.Socket): Promise<void> {
  let buffer = Buffer.alloc(0);
  let started = false;
  let endTurn: (() => void) | null = null;
  // The last 6 bytes PGlite wrote: ReadyForQuery is `Z`, length 5, status.
  let tail = Buffer.alloc(0);
  let work = Promise.resolve();
  let closed = false;

  const release = () => {
    endTurn?.();
    endTurn = null;
  };

  const run = async (message: Buffer) => {
    endTurn ??= await takeTurn(pg);
    await pg.execProtocolRawStream(new Uint8Array(message), {
      onRawData: (bytes) => {
        if (!closed) socket.write(bytes);
        tail = Buffer.concat([tail, bytes]).subarray(-6);
      },
    });
    const idle =
      tail.length === 6 &&
      tail[0] === READY_FOR_QUERY &&
      tail.readInt32BE(1) === 5 &&
      tail[5] === IDLE;
    if (idle) release();
  };

  // A client gone in the middle of a transaction must not leave it open for the next one.
  const hangUp = async () => {
    if (!endTurn) return;
    try {
      if (pg.isInTransaction()) await pg.execProtocolRaw(serializeQuery("ROLLBACK"));
    } finally {
      release();
    }
  };

  /** Cuts complete messages off the buffer and answers those the socket itself must. */
  const nextMessages = (): Buffer[] => {
    const messages: Buffer[] = [];
    for (;;) {
      if (!started) {
        if (buffer.length < 8) break;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) break;
        const code = buffer.readInt32BE(4);
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          // A local socket needs no encryption: "N" tells the client to go on without.
          socket.write("N");
        } else if (code === PROTOCOL_3) {
          started = true;
          messages.push(message);
        } else {
          // Cancel requests (there is no other backend to signal) and unknown protocols.
          if (code !== CANCEL_REQUEST) socket.write(protocolError("unsupported protocol"));
          socket.end();
          return messages;
        }
        continue;
      }
      if (buffer.length < 5) break;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) break;
      const message = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      if (message[0] === TERMINATE) {
        socket.end();
        return messages;
      }
      messages.push(message);
    }
    return messages;
  };

  socket.on("data", (data) => {
    buffer = Buffer.concat([buffer, data]);
    for (const message of nextMessages()) {
      work = work.then(() => (closed ? undefined : run(message)));
    }
    work = work.catch((error: unknown) => {
      console.error("[embedded socket]", error instanceof Error ? error.message : error);
      socket.destroy();
    });
  });
  socket.on("error", () => socket.destroy());
  return new Promise((finished) => {
    socket.on("close", () => {
      closed = true;
      work
        .then(hangUp, hangUp)
        .catch((error: unknown) => {
          console.error("[embedded socket]", error instanceof Error ? error.message : error);
        })
        .finally(finished);
    });
  });
}

function serializeQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51; // 'Q'
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message);
}

function protocolError(text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0C08P01\0M${text}\0\0`, "utf8");
  const message = Buffer.alloc(5 + fields.length);
  message[0] = 0x45; // 'E'
  message.writeInt32BE(4 + fields.length, 1);
  fields.copy(message, 5);
  return message;
}

/**
 * Listens on `socketPath` for PostgreSQL clients of `pg`. A socket file left by a process that
 * was killed is replaced; one that still answers belongs to a running app, which has the
 * database open, so starting is refused.
 */
export async function listenOnEmbeddedSocket(
  pg: PGlite,
  socketPath: string,
): Promise<EmbeddedSocketServer> {
  if (fs.existsSync(socketPath)) {
    if (await answers(socketPath)) {
      throw new Error(`${socketPath} is served by another process; is the app running twice?`);
    }
    fs.rmSync(socketPath, { force: true });
  }
  const connections = new Map<net.Socket, Promise<void>>();
  const server = net.createServer((socket) => {
    const finished = serveConnection(pg, socket);
    connections.set(socket, finished);
    void finished.then(() => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    // Before the database closes: every client gone and any transaction it left rolled back.
    close: async () => {
      // Closing the server removes the socket file too.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const finishing = [...connections.values()];
      for (const socket of connections.keys()) socket.destroy();
      await Promise.all([stopped, ...finishing]);
    },
  };
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
