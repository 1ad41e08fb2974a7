import { LoadingHeading, SkeletonRows } from "@/components/ui/skeleton";

export default function ExceptionsLoading() {
  return (
    <>
      <LoadingHeading title="Exceptions" summaryWidth="40rem" summaryHeight="1.2rem" />
      <section className="card" aria-busy="true" aria-label="Loading the exception queue">
        <div className="skeleton" style={{ height: "2.2rem", marginBottom: "1rem" }} />
        <div className="skeleton" style={{ height: "3.5rem", marginBottom: "1rem" }} />
        <div style={{ display: "grid", gap: "0.5rem" }}>
          <SkeletonRows count={10} height="2.1rem" />
        </div>
      </section>
    </>
  );
}
