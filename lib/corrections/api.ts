import { z } from "zod";
import type { Db } from "@/db/client";
import { findCorrection, listCorrections } from "@/db/queries/corrections";
import { getException } from "@/db/queries/exception-detail";
import { requestMeta } from "@/lib/audit";
import { actorOf, guardApi } from "@/lib/auth/session";
import { readForApi } from "@/lib/server/read-routing";
import {
  DecideCorrectionBody,
  ListCorrectionsQuery,
  ProposeCorrectionBody,
} from "@/lib/contract/work-api";
import { NotFound, PreconditionFailed, StaleVersion } from "@/lib/errors";
import { parseBody } from "@/lib/exceptions/api";
import { checkIfMatch, etag, ifMatchVersion, readJsonObject } from "@/lib/http/json-body";
import { idempotent } from "@/lib/http/idempotency";
import { handle, json } from "@/lib/http/respond";
import { writeLimiter } from "@/lib/http/write-limit";
import { decodeCursor, encodeCursor } from "@/lib/pagination";
import { correctionsForException, decideCorrection, proposeCorrection } from "./corrections";

/*
 * Corrections over HTTP. Proposing and deciding call proposeCorrection and decideCorrection,
 * as the corrections panel does, so maker-checker holds for scripts: a service key may
 * propose but never decide, and a personal token counts as its person, who never decides
 * what they proposed (403).
 */

const UUID = z.uuid();

/** A correction with its decisions and the state of its command; 404 when there is none. */
async function correctionView(db: Db, id: string) {
  const row = UUID.safeParse(id).success ? await findCorrection(db, id) : null;
  if (!row) throw new NotFound("No such correction");
  const view = (await correctionsForException(db, row.exceptionId)).find((c) => c.id === id);
  if (!view) throw new NotFound("No such correction");
  return view;
}

export const handleProposeCorrection = handle(
  async (db: Db, request: Request, exceptionId: string) => {
    const principal = await guardApi(db, request, "POST /api/v1/exceptions/[id]/corrections");
    writeLimiter.take(principal);
    const { body, raw } = await readJsonObject(request);
    return idempotent(db, request, principal, raw, async () => {
      const expected = ifMatchVersion(request);
      const input = parseBody(ProposeCorrectionBody, body);
      const exception = await getException(db, exceptionId);
      if (!exception) throw new NotFound("No such exception");
      checkIfMatch(expected, exception.version, "exception");
      const correction = await proposeCorrection(
        db,
        actorOf(principal),
        { exceptionId: exception.id, ...input },
        requestMeta(request),
        expected,
      );
      const view = await correctionView(db, correction.id);
      return json(view, {
        status: 201,
        headers: { etag: etag(view.version), location: `/api/v1/corrections/${view.id}` },
      });
    });
  },
);

export const handleListCorrections = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/corrections");
  const url = new URL(request.url);
  const query = parseBody(ListCorrectionsQuery, Object.fromEntries(url.searchParams));
  const afterId = query.cursor
    ? decodeCursor(query.cursor, z.object({ id: z.uuid() })).id
    : undefined;
  const { value: page } = await readForApi(db, request, principal, (reads) =>
    listCorrections(reads, { status: query.status, limit: query.limit, afterId }),
  );
  const last = page.items.at(-1);
  return json({
    items: page.items,
    nextCursor: page.more && last ? encodeCursor({ id: last.id }) : null,
  });
});

export const handleGetCorrection = handle(async (db: Db, request: Request, id: string) => {
  await guardApi(db, request, "GET /api/v1/corrections/[id]");
  const view = await correctionView(db, id);
  return json(view, { headers: { etag: etag(view.version) } });
});

const DECISION_ROUTES = {
  approve: "POST /api/v1/corrections/[id]/approve",
  reject: "POST /api/v1/corrections/[id]/reject",
} as const;

export const handleDecideCorrection = handle(
  async (db: Db, request: Request, id: string, decision: "approve" | "reject") => {
    const principal = await guardApi(db, request, DECISION_ROUTES[decision]);
    writeLimiter.take(principal);
    const { body, raw } = await readJsonObject(request);
    return idempotent(db, request, principal, raw, async () => {
      const expected = ifMatchVersion(request);
      const { reason } = parseBody(DecideCorrectionBody, body);
      const current = await correctionView(db, id);
      checkIfMatch(expected, current.version, "correction");
      try {
        await decideCorrection(
          db,
          actorOf(principal),
          { correctionId: id, decision, expectedVersion: expected ?? current.version, reason },
          requestMeta(request),
        );
      } catch (error) {
        if (error instanceof StaleVersion && expected !== null) {
          throw new PreconditionFailed(error.message, { currentVersion: error.currentVersion });
        }
        throw error;
      }
      const view = await correctionView(db, id);
      return json(view, { headers: { etag: etag(view.version) } });
    });
  },
);

type IdContext = { params: Promise<{ id: string }> };

export function decideCorrectionRoute(decision: "approve" | "reject", getDb: () => Promise<Db>) {
  return async (request: Request, context: IdContext) =>
    handleDecideCorrection(await getDb(), request, (await context.params).id, decision);
}
