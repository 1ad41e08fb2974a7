export default function ExceptionsLoading() {
  return (
    <>
      <div>
        <h1 style={{ marginBottom: "0.25rem" }}>Exceptions</h1>
        <div className="skeleton" style={{ width: "min(40rem, 100%)", height: "1.2rem" }} />
      </div>
      <section className="card" aria-busy="true" aria-label="Loading the exception queue">
        <div className="skeleton" style={{ height: "2.2rem", marginBottom: "1rem" }} />
        <div className="skeleton" style={{ height: "3.5rem", marginBottom: "1rem" }} />
        <div style={{ display: "grid", gap: "0.5rem" }}>
          {Array.from({ length: 10 }, (_, i) => (
            <div key={i} className="skeleton" style={{ height: "2.1rem" }} />
          ))}
        </div>
      </section>
    </>
  );
}
