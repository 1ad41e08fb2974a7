import { LoadingHeading, SkeletonRows } from "@/components/ui/skeleton";

/** Shared by the portfolio and the checklist: a heading, a summary block and rows of cells. */
export default function CloseLoading() {
  return (
    <>
      <LoadingHeading title="Close" summaryWidth="28rem" />
      <div
        className="skeleton"
        style={{ height: "6.5rem" }}
        role="status"
        aria-label="Loading close readiness"
      />
      <SkeletonRows count={6} height="3.5rem" />
    </>
  );
}
