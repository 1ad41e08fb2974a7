import NextAuth from "next-auth";
import { throttledSeconds } from "@/lib/auth/throttle-message";
import { authOptions } from "@/lib/auth/options";

const handler = NextAuth(authOptions);

type Context = { params: Promise<{ nextauth: string[] }> };

/**
 * next-auth answers every refused sign-in with 401 and the reason in a URL. A throttled one
 * is a 429 with Retry-After (RFC 6585), so a client knows to wait rather than retry.
 */
async function post(request: Request, context: Context): Promise<Response> {
  const response: Response = await handler(request, context);
  if (response.status !== 401 || !response.headers.get("content-type")?.includes("json")) {
    return response;
  }
  const body = (await response.clone().json()) as { url?: string };
  const error = body.url ? new URL(body.url, request.url).searchParams.get("error") : null;
  const retryAfter = throttledSeconds(error);
  if (retryAfter === null) return response;
  const headers = new Headers(response.headers);
  headers.set("retry-after", String(retryAfter));
  return new Response(JSON.stringify(body), { status: 429, headers });
}

export { handler as GET, post as POST };
