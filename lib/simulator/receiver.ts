import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook, WebhookVerificationError } from "@/lib/outbox/signature";
import { SOURCES, type CloudEvent } from "./events";
import { postBatch } from "./sender";

/*
 * The demo's receiving systems: a small webhook server that plays the ERP connector (and
 * whatever else the outbox addresses) for `npm start`. It verifies each delivery's Standard
 * Webhooks signature, drops a webhook-id it has seen (delivery is at least once), answers
 * 2xx at once, and then does the work a few seconds later and reports the outcome as
 * telemetry through the public ingestion API — so a click on "retry" closes the exception
 * when the connector's next attempt arrives, and an approved correction closes its exception
 * when the billing system confirms it, exactly as real systems would.
 */

export interface ReceiverOptions {
  /** Closeline's base URL and the demo ingest key the outcome is reported with. */
  url: string;
  key: string;
  secret: string;
  port?: number;
  /** Share of retries and corrections that succeed; the rest fail, as real ones sometimes do. */
  successRate?: number;
  /** How long the "ERP" takes to redo a posting. */
  workMs?: { min: number; max: number };
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Replaces or adds simulated systems by command kind (DEMO_HANDLERS by default). */
  handlers?: Partial<Record<string, CommandHandler>>;
}

/** What a simulated system may do with a command it accepted. */
export interface HandlerTools {
  /** Sends telemetry through the ingestion API with the demo key. */
  report: (events: CloudEvent[]) => Promise<void>;
  /** Runs `fn` after the system's working time (workMs), unless the receiver closes first. */
  later: (fn: () => void) => void;
  /** A fixed draw in [0, 1) for this command and salt: replays behave the same. */
  draw: (salt: string) => number;
  successRate: number;
  log: (line: string) => void;
}

export type CommandHandler = (command: CommandBody, tools: HandlerTools) => void;

/**
 * The event a simulated system reports a command's outcome with. Its id is the command's
 * (after `idPrefix`): one event per command, so a repeated delivery or a replayed report is a
 * duplicate.
 */
function outcomeEvent(
  command: CommandBody,
  idPrefix: string,
  event: Pick<CloudEvent, "source" | "type" | "time" | "subject" | "data">,
): CloudEvent {
  return {
    specversion: "1.0",
    id: `${idPrefix}-${command.id}`,
    source: event.source,
    type: event.type,
    time: event.time,
    subject: event.subject,
    datacontenttype: "application/json",
    data: event.data,
  };
}

/**
 * The ERP connector redoes the posting and reports its next attempt; most succeed, some fail
 * again with the same error, as real retries do.
 */
export const retryPosting: CommandHandler = (
  command,
  { report, later, draw, successRate, log },
) => {
  const d = command.data;
  if (
    typeof d.postingId !== "string" ||
    typeof d.invoiceId !== "string" ||
    typeof d.entity !== "string"
  ) {
    log(`[receiver] erp.posting.retry ${command.id} lacks posting, invoice or entity; ignored`);
    return;
  }
  const followsAttempt = Number(d.followsAttempt);
  const attempt = (Number.isSafeInteger(followsAttempt) ? followsAttempt : 0) + 1;
  const succeeded = draw("outcome") < successRate;
  later(() => {
    const now = new Date().toISOString();
    log(
      `[receiver] ERP connector retried ${d.postingId}: attempt ${attempt} ${succeeded ? "succeeded" : "failed"}`,
    );
    void report([
      outcomeEvent(command, "retry", {
        source: SOURCES.erp,
        type: "erp.posting.attempted",
        time: now,
        subject: d.invoiceId as string,
        data: {
          postingId: d.postingId,
          invoiceId: d.invoiceId,
          entity: d.entity,
          attempt,
          status: succeeded ? "succeeded" : "failed",
          attemptedAt: now,
          ...(succeeded
            ? { erpDocumentNumber: `JE-RETRY-${command.id.slice(0, 8).toUpperCase()}` }
            : {
                errorCode: typeof d.errorCode === "string" ? d.errorCode : "ERP_TIMEOUT",
                errorMessage: "The retry failed again in the ERP",
              }),
        },
      }),
    ]);
  });
};

/**
 * The billing system or ERP carries out an approved correction (a credit note, a journal
 * adjustment…) and confirms it with a `correction.executed` event naming the correction,
 * which closes the corrected exception; some fail, as bookings in a closed period do, and
 * hand the exception back to people.
 */
export const executeCorrection: CommandHandler = (
  command,
  { report, later, draw, successRate, log },
) => {
  const d = command.data;
  if (typeof d.correctionId !== "string") {
    log(`[receiver] correction.execute ${command.id} names no correction; ignored`);
    return;
  }
  const executed = draw("outcome") < successRate;
  const target = typeof d.targetSystem === "string" ? d.targetSystem : "the target system";
  later(() => {
    const now = new Date().toISOString();
    log(
      `[receiver] ${target} ${executed ? "carried out" : "could not carry out"} correction ${d.correctionId}`,
    );
    void report([
      outcomeEvent(command, "correction", {
        source: SOURCES.billing,
        type: "correction.executed",
        time: now,
        subject: d.correctionId as string,
        data: {
          correctionId: d.correctionId,
          status: executed ? "executed" : "failed",
          executedAt: now,
          ...(executed
            ? { documentRef: `CN-${command.id.slice(0, 8).toUpperCase()}` }
            : { errorMessage: "The target period is closed for posting" }),
        },
      }),
    ]);
  });
};

/** The simulated systems by command kind. A kind without a handler is acknowledged and logged. */
export const DEMO_HANDLERS: Partial<Record<string, CommandHandler>> = {
  "erp.posting.retry": retryPosting,
  "correction.execute": executeCorrection,
};

export interface CommandBody {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

export interface DemoReceiver {
  /** The webhook URL to register with Closeline. */
  webhookUrl: string;
  close(): Promise<void>;
}

/** A fixed draw in [0, 1) per command, so a replayed demo behaves the same. */
function draw(id: string, salt: string): number {
  return createHash("sha256").update(`${salt}:${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function startDemoReceiver(options: ReceiverOptions): Promise<DemoReceiver> {
  const log = options.log ?? ((line: string) => console.log(line));
  const successRate = options.successRate ?? 0.85;
  const work = options.workMs ?? { min: 1_500, max: 4_000 };
  const seen = new Set<string>();
  const pending = new Set<NodeJS.Timeout>();

  const report = async (events: CloudEvent[]) => {
    try {
      await postBatch(events, {
        url: options.url,
        key: options.key,
        signal: options.signal,
        maxAttempts: 5,
      });
    } catch (error) {
      if (!options.signal?.aborted)
        log(`[receiver] could not report the outcome: ${(error as Error).message}`);
    }
  };

  const handlers = { ...DEMO_HANDLERS, ...options.handlers };
  const act = (command: CommandBody) => {
    const handler = handlers[command.type];
    if (!handler) {
      log(`[receiver] ${command.type} ${command.id} received; nothing simulates it yet`);
      return;
    }
    handler(command, {
      report,
      later: (fn) => {
        const delay = work.min + draw(command.id, "delay") * (work.max - work.min);
        const timer = setTimeout(() => {
          pending.delete(timer);
          fn();
        }, delay);
        pending.add(timer);
      },
      draw: (salt) => draw(command.id, salt),
      successRate,
      log,
    });
  };

  const server = http.createServer((req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let id: string;
      try {
        id = verifyWebhook(options.secret, req.headers, body).id;
      } catch (error) {
        const reason =
          error instanceof WebhookVerificationError ? error.message : "unreadable request";
        log(`[receiver] refused a delivery: ${reason}`);
        res.writeHead(401, { "content-type": "text/plain" }).end(reason);
        return;
      }
      // At-least-once delivery: a webhook-id seen before was acted on already.
      if (seen.has(id)) {
        res.writeHead(200, { "content-type": "text/plain" }).end("duplicate");
        return;
      }
      let command: CommandBody;
      try {
        command = JSON.parse(body) as CommandBody;
      } catch {
        res.writeHead(400, { "content-type": "text/plain" }).end("body is not JSON");
        return;
      }
      seen.add(id);
      res.writeHead(202, { "content-type": "text/plain" }).end("accepted");
      act(command);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    webhookUrl: `http://127.0.0.1:${port}/webhooks`,
    close: async () => {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
