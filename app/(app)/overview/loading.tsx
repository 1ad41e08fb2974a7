import { ChartsSkeleton, TilesSkeleton } from "@/components/kpi/overview-skeletons";

export default function OverviewLoading() {
  return (
    <>
      <div>
        <h1 style={{ marginBottom: "0.25rem" }}>Overview</h1>
        <div className="skeleton" style={{ width: "min(36rem, 100%)", height: "1.3rem" }} />
      </div>
      <TilesSkeleton />
      <ChartsSkeleton />
    </>
  );
}
