import { SkeletonRows } from "@/components/ui/skeleton";

/** The health table and the volume chart arrive together; their space is held meanwhile. */
export default function IngestionLoading() {
  return (
    <>
      <h1>Ingestion</h1>
      <div className="skeleton" style={{ height: "1.3rem", width: "min(32rem, 100%)" }} />
      <SkeletonRows count={6} height="2.75rem" />
      <div className="skeleton" style={{ height: "220px" }} />
    </>
  );
}
