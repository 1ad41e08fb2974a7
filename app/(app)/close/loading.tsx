/** Shared by the portfolio and the checklist: a heading, a summary block and rows of cells. */
export default function CloseLoading() {
  return (
    <>
      <div>
        <h1 style={{ marginBottom: "0.25rem" }}>Close</h1>
        <div className="skeleton" style={{ width: "min(28rem, 100%)", height: "1.3rem" }} />
      </div>
      <div className="skeleton" style={{ height: "6.5rem" }} aria-label="Loading close readiness" />
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="skeleton" style={{ height: "3.5rem" }} />
      ))}
    </>
  );
}
