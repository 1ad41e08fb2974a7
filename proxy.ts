import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

/*
 * Runs before every page request: a per-request CSP nonce (so no inline script runs unless
 * Next.js put it there), and an early redirect to sign-in for visitors without a session
 * cookie. The redirect is a convenience; each page checks access itself (lib/auth/session.ts).
 */

const PUBLIC_PAGES = new Set(["/sign-in"]);

function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // React's dev tooling needs eval; production does not.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Style attributes (charts, layout) cannot carry a nonce; scripts stay strict.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export async function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const { pathname, search } = request.nextUrl;

  if (!PUBLIC_PAGES.has(pathname)) {
    const token = await getToken({ req: request, secret: process.env.AUTH_SECRET });
    if (!token) {
      const signIn = new URL("/sign-in", request.url);
      signIn.searchParams.set("callbackUrl", pathname + search);
      return NextResponse.redirect(signIn);
    }
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  // The app layout checks the page's rule before anything streams (see app/(app)/layout.tsx).
  requestHeaders.set("x-closeline-pathname", pathname);
  requestHeaders.set("x-closeline-return-to", pathname + search);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: API routes answer JSON with their own auth, static files need no CSP.
      // Prefetches too: a page fetched ahead is still HTML (or its payload) that needs the
      // policy, and the same sign-in redirect.
      source: "/((?!api|_next/static|_next/image|favicon.ico|icon.svg).*)",
    },
  ],
};
