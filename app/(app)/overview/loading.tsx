import { ChartsSkeleton, TilesSkeleton } from "@/components/kpi/overview-skeletons";
import { LoadingHeading } from "@/components/ui/skeleton";

export default function OverviewLoading() {
  return (
    <>
      <LoadingHeading title="Overview" summaryWidth="36rem" />
      <TilesSkeleton />
      <ChartsSkeleton />
    </>
  );
}
