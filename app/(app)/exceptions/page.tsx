import { HydrationBoundary, dehydrate } from "@tanstack/react-query";
import type { Metadata } from "next";
import { ExceptionQueue } from "@/components/exceptions/queue/queue";
import { AsOf } from "@/components/shell/as-of";
import { can } from "@/lib/auth/permissions";
import { guardPage } from "@/lib/auth/session";
import { listAssignees } from "@/lib/exceptions/detail";
import { loadQueueCounts, loadQueuePage } from "@/lib/exceptions/queue";
import {
  countParams,
  countsQueryKey,
  loadQueueParams,
  queueQueryKey,
} from "@/lib/exceptions/queue-params";
import { getQueryClient } from "@/lib/query-client";
import { readForPage } from "@/lib/server/read-routing";
import { bulkAction } from "./actions";

export const metadata: Metadata = { title: "Exceptions" };

export default async function ExceptionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await guardPage("/exceptions");
  const params = loadQueueParams(await searchParams);
  // The first page is read here and handed to the browser's cache, so the queue paints with
  // rows; from then on the browser refreshes it through GET /api/v1/exceptions. Both may be
  // served by a read replica that has replayed this viewer's last action.
  const queryClient = getQueryClient();
  const {
    value: [assignees],
    asOf,
  } = await readForPage((db) =>
    Promise.all([
      listAssignees(db),
      queryClient.prefetchQuery({
        queryKey: queueQueryKey(params),
        queryFn: () => loadQueuePage(db, params, user),
      }),
      queryClient.prefetchQuery({
        queryKey: countsQueryKey(params),
        queryFn: () => loadQueueCounts(db, countParams(params), user),
      }),
    ]),
  );
  const canWork = can(user.role, "exceptions:work");
  return (
    <>
      <div>
        <h1 style={{ marginBottom: "0.25rem" }}>Exceptions</h1>
        <p className="muted" style={{ margin: 0 }}>
          {canWork
            ? "Each break in the telemetry, once, with an owner and a history. Select rows to assign, resolve or dismiss them together."
            : "Each break in the telemetry, once, with an owner and a history. Your role can read the queues; operations and finance work them."}
        </p>
        <AsOf asOf={asOf} />
      </div>
      <section className="card" aria-label="Exception queue">
        <HydrationBoundary state={dehydrate(queryClient)}>
          <ExceptionQueue
            viewer={{ id: user.id, label: user.name ?? user.email }}
            canWork={canWork}
            assignees={assignees}
            bulkAction={bulkAction}
          />
        </HydrationBoundary>
      </section>
    </>
  );
}
