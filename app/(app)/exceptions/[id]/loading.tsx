export default function ExceptionLoading() {
  return (
    <>
      <div role="status" aria-busy="true" aria-label="Loading the exception">
        <div
          className="skeleton"
          style={{ width: "10rem", height: "1rem", marginBottom: "0.75rem" }}
        />
        <div
          className="skeleton"
          style={{ width: "min(40rem, 100%)", height: "1.8rem", marginBottom: "0.75rem" }}
        />
        <div className="skeleton" style={{ width: "20rem", height: "1.2rem" }} />
      </div>
      <div
        style={{
          display: "grid",
          gridTemplateColumns: "minmax(0, 2fr) minmax(18rem, 1fr)",
          gap: "1.5rem",
        }}
      >
        <div className="card" style={{ display: "grid", gap: "0.75rem" }}>
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="skeleton" style={{ height: "2.5rem" }} />
          ))}
        </div>
        <div className="card" style={{ display: "grid", gap: "0.5rem" }}>
          {Array.from({ length: 8 }, (_, i) => (
            <div key={i} className="skeleton" style={{ height: "1.1rem" }} />
          ))}
        </div>
      </div>
    </>
  );
}
