import Link from "next/link";

export default function NotFound() {
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>Page not found</h1>
        <Link href="/">Go to your start page</Link>
      </div>
    </main>
  );
}
