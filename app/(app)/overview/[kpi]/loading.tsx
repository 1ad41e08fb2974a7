export default function DrilldownLoading() {
  return (
    <section className="card" aria-busy="true" aria-label="Loading records">
      <div className="skeleton" style={{ width: "40%", height: "1.6rem", marginBottom: "1rem" }} />
      <div style={{ display: "grid", gap: "0.5rem" }}>
        {Array.from({ length: 12 }, (_, i) => (
          <div key={i} className="skeleton" style={{ height: "1.6rem" }} />
        ))}
      </div>
    </section>
  );
}
