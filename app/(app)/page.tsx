export default function HomePage() {
  return (
    <main>
      <h1>Closeline</h1>
    </main>
  );
}
