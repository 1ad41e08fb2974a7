import type { Provider } from "next-auth/providers/index";
import { env, type Env } from "@/lib/env";

type OidcSettings = Pick<
  Env,
  "AUTH_OIDC_ISSUER" | "AUTH_OIDC_CLIENT_ID" | "AUTH_OIDC_CLIENT_SECRET" | "AUTH_OIDC_NAME"
>;

/**
 * An OpenID Connect provider (Okta, Entra ID, Google Workspace, …) from environment variables
 * alone. Users still need a Closeline account with the same email: the provider
 * authenticates, Closeline's role decides what they may do.
 */
export function oidcProvidersFromEnv(source: OidcSettings = env): Provider[] {
  const issuer = source.AUTH_OIDC_ISSUER;
  const clientId = source.AUTH_OIDC_CLIENT_ID;
  const clientSecret = source.AUTH_OIDC_CLIENT_SECRET;
  if (!issuer || !clientId || !clientSecret) return [];
  return [
    {
      id: "oidc",
      name: source.AUTH_OIDC_NAME ?? "Single sign-on",
      type: "oauth",
      wellKnown: `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      clientId,
      clientSecret,
      profile(profile: { sub: string; email?: string; name?: string }) {
        return {
          id: profile.sub,
          email: profile.email?.toLowerCase() ?? null,
          name: profile.name ?? null,
        };
      },
    },
  ];
}
