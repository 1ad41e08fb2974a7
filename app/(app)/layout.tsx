import { cookies, headers } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Suspense, type ReactNode } from "react";
import { getDb } from "@/db";
import { AlertBell } from "@/components/shell/alert-bell";
import { GlobalFilters } from "@/components/shell/global-filters";
import { NavLinks } from "@/components/shell/nav-links";
import { SearchBox } from "@/components/shell/search-box";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { ROLE_LABEL } from "@/components/shell/role-label";
import { TimeZoneProvider } from "@/components/ui/date-time";
import { countAlerts } from "@/lib/alerts/list";
import { areasFor } from "@/lib/auth/navigation";
import { can } from "@/lib/auth/permissions";
import { pageRouteOf } from "@/lib/auth/route-access";
import { getCurrentUser, guardPage } from "@/lib/auth/session";
import { requirePageExists } from "@/lib/server/page-exists";
import { effectiveTimeZone } from "@/lib/auth/time-zone";
import { loadEntities } from "@/lib/entities";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  // Pages with a loading skeleton stream their shell with status 200 before the page runs,
  // so the page's own guard could only show "not allowed" under a 200. Checking the rule
  // here, before anything is sent, makes a forbidden page answer 403. Pages keep their guard.
  // The same holds for a page whose record does not exist: it answers 404 from here.
  const pathname = (await headers()).get("x-closeline-pathname") ?? "";
  const route = pageRouteOf(pathname);
  if (route) {
    await guardPage(route);
    await requirePageExists(route, pathname);
  }
  const db = await getDb();
  const [entities, theme, alertCounts] = await Promise.all([
    loadEntities(db),
    cookies().then((c) => c.get("theme")?.value),
    can(user.role, "alerts:read") ? countAlerts(db) : Promise.resolve(null),
  ]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <Link className="brand" href="/">
          Closeline
        </Link>
        <SearchBox />
        {alertCounts ? <AlertBell initial={alertCounts} /> : null}
        <Suspense>
          <NavLinks items={areasFor(user.role).map(({ href, label }) => ({ href, label }))} />
        </Suspense>
        <div className="sidebar-footer">
          <div>
            <Link
              href="/profile"
              className="profile-link"
              data-testid="current-user"
              aria-label={`Your profile and time zone: ${user.name ?? user.email}`}
            >
              {user.name ?? user.email}
            </Link>
            <span className="badge" data-testid="current-role">
              {ROLE_LABEL[user.role]}
            </span>
            <div className="muted" data-testid="current-time-zone">
              Times in {effectiveTimeZone(user.timeZone)}
            </div>
          </div>
          <ThemeToggle initial={theme === "light" || theme === "dark" ? theme : "system"} />
          <SignOutButton />
        </div>
      </nav>
      <div className="main">
        <Suspense>
          <GlobalFilters entities={entities} />
        </Suspense>
        <main id="main" className="content" tabIndex={-1}>
          <TimeZoneProvider timeZone={effectiveTimeZone(user.timeZone)}>
            {children}
          </TimeZoneProvider>
        </main>
      </div>
    </div>
  );
}
