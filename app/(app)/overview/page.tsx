import type { Metadata } from "next";
import { Suspense } from "react";
import { LiveRefresh } from "@/components/kpi/live-refresh";
import { AsOf } from "@/components/shell/as-of";
import { OverviewCharts, OverviewTiles } from "@/components/kpi/overview-sections";
import { ChartsSkeleton, TilesSkeleton } from "@/components/kpi/overview-skeletons";
import { guardPage } from "@/lib/auth/session";
import { loadGlobalFilters } from "@/lib/filters/search-params";
import { previousPeriod, resolveTimeRange } from "@/lib/filters/time-range";
import { loadOverview } from "@/lib/kpi/overview";
import { loadMoneyAtStake } from "@/lib/money/at-stake";
import { MoneyAtStakeTable } from "@/components/money/money-at-stake";
import { readForPage, type PageRead } from "@/lib/server/read-routing";
import { serializeFilters } from "./search-params";
import { DateTime } from "@/components/ui/date-time";
import { SubscribeWeekly } from "@/components/digests/subscribe-weekly";
import { getDb } from "@/db";
import { effectiveTimeZone } from "@/lib/auth/time-zone";
import { emailDigestsAvailable, listDigests } from "@/lib/digests/digests";
import { deleteDigestAction, subscribeWeeklyAction } from "../digest-actions";

export const metadata: Metadata = { title: "Overview" };

/** How often the page asks the server for fresh numbers. */
const REFRESH_MS = 30_000;

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await guardPage("/overview");
  const filters = loadGlobalFilters(await searchParams);
  // "Email me this every Monday" is subscribed when one's own Monday e-mail of this entity is.
  const weekly = (await listDigests(await getDb(), { id: user.id, role: user.role })).find(
    (d) =>
      d.enabled &&
      d.target.kind === "email" &&
      d.cadence === "weekly" &&
      d.weekday === "monday" &&
      d.entity === filters.entity,
  );
  const range = resolveTimeRange(filters);
  const scope = { ...range, entity: filters.entity };
  const before = previousPeriod(range);
  // Started here, awaited inside each Suspense boundary: the header paints without waiting.
  // The KPIs may come from a read replica; the header then says how old they are.
  const served = readForPage((db) =>
    loadOverview(db, scope, { filterQuery: serializeFilters(filters).replace(/^\?/, "") }),
  );
  const overview = served.then((read) => read.value);
  const stake = readForPage((db) => loadMoneyAtStake(db, { entity: filters.entity })).then(
    (read) => read.value,
  );
  // A new key per filter set shows the skeletons while another range loads; a live refresh
  // (same filters) keeps the current numbers on screen until the new ones are ready.
  const sectionKey = JSON.stringify(filters);
  return (
    <>
      <div className="form-row" style={{ justifyContent: "space-between" }}>
        <div>
          <h1 style={{ marginBottom: "0.25rem" }}>Overview</h1>
          <p className="muted" style={{ margin: 0 }} data-testid="overview-range">
            {filters.entity ?? "All entities"} · <DateTime value={range.from} /> –{" "}
            <DateTime value={range.to} /> · compared with <DateTime value={before.from} /> –{" "}
            <DateTime value={before.to} />
          </p>
          <Suspense fallback={null}>
            <ServedAsOf served={served} />
          </Suspense>
        </div>
        <div style={{ display: "grid", gap: "0.5rem", justifyItems: "end" }}>
          <LiveRefresh intervalMs={REFRESH_MS} renderedAt={new Date().toISOString()} />
          <SubscribeWeekly
            available={emailDigestsAvailable()}
            subscription={
              weekly
                ? { id: weekly.id, nextSendAt: weekly.nextSendAt, timeZone: weekly.timeZone }
                : null
            }
            entity={filters.entity}
            profileTimeZone={effectiveTimeZone(user.timeZone)}
            subscribe={subscribeWeeklyAction}
            unsubscribe={deleteDigestAction}
          />
        </div>
      </div>
      <section aria-labelledby="kpis-heading">
        <h2 id="kpis-heading" className="visually-hidden">
          Key indicators
        </h2>
        <Suspense key={sectionKey} fallback={<TilesSkeleton />}>
          <OverviewTiles overview={overview} />
        </Suspense>
      </section>
      <section aria-labelledby="money-heading">
        <h2 id="money-heading">Money at stake</h2>
        <p className="muted" style={{ marginTop: 0 }}>
          Open exceptions&rsquo; amounts at risk in the reporting currency, each converted at the
          rate in effect on the day it opened; whatever the time range. Amounts unknown or without a
          rate are counted beside each sum, not added as zero.
        </p>
        <Suspense key={sectionKey} fallback={<p className="muted">Loading…</p>}>
          <MoneyAtStakeTable stake={stake} />
        </Suspense>
      </section>
      <section aria-labelledby="trends-heading">
        <h2 id="trends-heading">Trends</h2>
        <Suspense key={sectionKey} fallback={<ChartsSkeleton />}>
          <OverviewCharts overview={overview} />
        </Suspense>
      </section>
    </>
  );
}

async function ServedAsOf({ served }: { served: Promise<PageRead<unknown>> }) {
  return <AsOf asOf={(await served).asOf} />;
}
