/** A page's heading while it loads, with a bar where its summary line will be. */
export function LoadingHeading({
  title,
  summaryWidth,
  summaryHeight = "1.3rem",
}: {
  title: string;
  /** The summary's longest width, so the bar is as long as the line it stands for. */
  summaryWidth: string;
  summaryHeight?: string;
}) {
  return (
    <div>
      <h1 style={{ marginBottom: "0.25rem" }}>{title}</h1>
      <div
        className="skeleton"
        style={{ width: `min(${summaryWidth}, 100%)`, height: summaryHeight }}
      />
    </div>
  );
}

/** Bars the height of the rows to come, one under another. */
export function SkeletonRows({ count, height }: { count: number; height: string }) {
  return Array.from({ length: count }, (_, i) => (
    <div key={i} className="skeleton" style={{ height }} />
  ));
}
