import type { Metadata } from "next";
import Link from "next/link";
import { LinkTabs } from "@/components/ui/link-tabs";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { guardPage } from "@/lib/auth/session";
import { resolveTimeRange } from "@/lib/filters/time-range";
import { KPI_DEFINITIONS, KPI_IN_PLAIN_WORDS } from "@/lib/kpi/definitions";
import {
  DRILLDOWNS,
  decodeDrilldownCursor,
  drilldownPath,
  drilldownView,
  isDrilldownSlug,
} from "@/lib/kpi/drilldown";
import { loadDrilldownParams, serializeDrilldown, serializeFilters } from "../search-params";
import { loadDrilldownRecords } from "@/lib/kpi/drilldown-records";
import { loadOpenNow } from "@/lib/kpi/open-now";
import { DrilldownRecords } from "@/components/kpi/drilldown/drilldown-records";
import { DateTime } from "@/components/ui/date-time";
import { AsOf } from "@/components/shell/as-of";
import { readForPage } from "@/lib/server/read-routing";

interface Props {
  params: Promise<{ kpi: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { kpi } = await params;
  return { title: isDrilldownSlug(kpi) ? `${DRILLDOWNS[kpi].title} · Overview` : "Overview" };
}

/** The records behind one overview tile, with the overview's filters applied. */
export default async function DrilldownPage({ params, searchParams }: Props) {
  await guardPage("/overview/[kpi]");
  const { kpi } = await params;
  if (!isDrilldownSlug(kpi)) notFound();
  const spec = DRILLDOWNS[kpi];
  const query = loadDrilldownParams(await searchParams);
  const range = resolveTimeRange(query);
  const scope = { ...range, entity: query.entity };
  const view = drilldownView(kpi, query.view);
  const filters = { entity: query.entity, range: query.range, from: query.from, to: query.to };
  const href = (change: { view?: string; cursor?: string | null }) =>
    serializeDrilldown(drilldownPath(kpi), {
      ...filters,
      view: (change.view ?? view) === spec.views[0].id ? null : (change.view ?? view),
      cursor: change.cursor ?? null,
    });
  // Both may come from a read replica (lib/server/read-routing.ts).
  const { value: openNow, asOf } = await readForPage((db) => loadOpenNow(db, kpi, query.entity));
  // Started here, awaited inside the Suspense boundary: the header paints without waiting.
  const records = readForPage((db) =>
    loadDrilldownRecords(db, kpi, {
      scope,
      view,
      cursor: decodeDrilldownCursor(query.cursor),
      now: new Date(),
    }),
  ).then((read) => read.value);
  return (
    <>
      <nav aria-label="Breadcrumb">
        <Link href={serializeFilters("/overview", filters)}>← Overview</Link>
      </nav>
      <section className="card" aria-labelledby="records-heading">
        <h1 id="records-heading" style={{ marginBottom: "0.25rem" }}>
          {spec.title}
        </h1>
        <p className="muted" style={{ marginTop: 0 }} data-testid="records-scope">
          {spec.records} · {query.entity ?? "All entities"} · <DateTime value={range.from} /> –{" "}
          <DateTime value={range.to} />
        </p>
        <AsOf asOf={asOf} />
        {openNow ? (
          <p data-testid="records-open-now" data-count={openNow.count}>
            {openNow.count > 0 ? <span aria-hidden="true">! </span> : null}
            <Link href={openNow.href}>{openNow.text} →</Link>{" "}
            <span className="muted">(whatever the range)</span>
          </p>
        ) : null}
        <details>
          <summary>Definition</summary>
          <p>{KPI_IN_PLAIN_WORDS[spec.definition]}</p>
          <p>Exactly: {KPI_DEFINITIONS[spec.definition]}</p>
        </details>
        {spec.views.length > 1 ? (
          <LinkTabs
            label="Views"
            tabs={spec.views.map((v) => ({
              href: href({ view: v.id, cursor: null }),
              label: v.label,
            }))}
            current={href({ view, cursor: null })}
            style={{ margin: "0.75rem 0" }}
          />
        ) : null}
        <Suspense
          key={JSON.stringify(query)}
          fallback={<div className="skeleton" style={{ height: "24rem" }} />}
        >
          <DrilldownRecords records={records} href={href} />
        </Suspense>
      </section>
    </>
  );
}
