import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { homeFor } from "@/lib/auth/navigation";
import { guardPage, getCurrentUser } from "@/lib/auth/session";
import { oidcProvidersFromEnv } from "@/lib/auth/oidc";
import { throttledSeconds } from "@/lib/auth/throttle-message";
import { readDemoCredentials } from "@/lib/server/demo-users";
import { DataTable } from "@/components/table/data-table";
import { SignInForm } from "./client";

export const metadata: Metadata = { title: "Sign in" };

const firstParam = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value[0] : value;

/** Only same-site paths: an open redirect after sign-in would hand a session to a phishing page. */
function safeCallback(value: string | string[] | undefined): string | null {
  const path = Array.isArray(value) ? value[0] : value;
  return path && path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\")
    ? path
    : null;
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await guardPage("/sign-in");
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  const user = await getCurrentUser();
  if (user) redirect(callbackUrl ?? homeFor(user.role));
  const demoCredentials = await readDemoCredentials();
  const sso = oidcProvidersFromEnv().map((p) => ({ id: p.id, name: p.name }));
  return (
    <main className="auth-page">
      <div className="auth-card">
        <SignInForm
          callbackUrl={callbackUrl}
          sso={sso}
          initialError={
            params.error === "NoAccount"
              ? "There is no active Closeline account for that identity."
              : throttledSeconds(firstParam(params.error)) !== null
                ? firstParam(params.error)!
                : null
          }
        />
        {demoCredentials.length > 0 ? (
          <section className="card" aria-labelledby="demo-heading">
            <h2 id="demo-heading">Demo accounts</h2>
            <p className="muted">
              Shown because Closeline runs in demo mode on its embedded database.
            </p>
            <DataTable
              stack={false}
              rows={demoCredentials.map((c) => ({ ...c, id: c.email }))}
              columns={[
                { header: "Role", cell: (c) => c.role },
                { header: "Email", cell: (c) => c.email },
                { header: "Password", cell: (c) => <code>{c.password}</code> },
              ]}
            />
          </section>
        ) : null}
      </div>
    </main>
  );
}
