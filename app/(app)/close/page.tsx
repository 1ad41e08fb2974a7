import type { Metadata } from "next";
import { getDb } from "@/db";
import { guardPage } from "@/lib/auth/session";
import { loadEntities } from "@/lib/entities";
import { ChecklistView } from "./checklist-view";
import { PortfolioView } from "./portfolio-view";
import { isChecklist, loadCloseParams } from "./search-params";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({
  searchParams,
}: {
  searchParams: SearchParams;
}): Promise<Metadata> {
  const params = loadCloseParams(await searchParams);
  return { title: isChecklist(params) ? "Close readiness" : "Close portfolio" };
}

/** /close is the portfolio of every entity; /close?entity=…&period=… one entity-month's checklist. */
export default async function ClosePage({ searchParams }: { searchParams: SearchParams }) {
  const user = await guardPage("/close");
  const db = await getDb();
  const params = loadCloseParams(await searchParams);
  const entities = await loadEntities(db);

  if (entities.length === 0) {
    return (
      <>
        <h1>Close</h1>
        <section className="card">
          <h2>No entities yet</h2>
          <p className="muted">
            Close readiness is computed per legal entity from telemetry. Once invoices, usage
            checkpoints or reconciliation results arrive, their entities appear here.
          </p>
        </section>
      </>
    );
  }
  return isChecklist(params) ? (
    <ChecklistView db={db} user={user} params={params} entities={entities} />
  ) : (
    <PortfolioView db={db} params={params} entities={entities} />
  );
}
