import Link from "next/link";

/** Rendered with status 403 when a signed-in role lacks a page's permission (see guardPage). */
export default function Forbidden() {
  return (
    <div className="card auth-card" role="alert" style={{ margin: "3rem auto" }}>
      <h1>Not allowed</h1>
      <p>Your role does not give access to this page. Ask an administrator if you need it.</p>
      <Link href="/">Go to your start page</Link>
    </div>
  );
}
