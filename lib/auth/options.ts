import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/db";
import { env, trustedProxies } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-address";
import type { Role } from "@/db/schema";
import { writeAudit, type RequestMeta } from "@/lib/audit";
import { oidcProvidersFromEnv } from "./oidc";
import { SignInThrottled, authenticateWithPassword, findActiveUserByEmail } from "./sign-in";
import { throttledError } from "./throttle-message";

/** A working day: long enough not to interrupt, short enough that a shared laptop forgets. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

declare module "next-auth" {
  interface User {
    role?: Role;
    sessionVersion?: number;
  }
  interface Session {
    user: { id: string; email: string; name: string | null; role: Role; sessionVersion: number };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    role?: Role;
    /** users.session_version when the session began; a bump ends the session. */
    sv?: number;
  }
}

function headerValue(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

export const authOptions: NextAuthOptions = {
  secret: env.AUTH_SECRET,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS, updateAge: 15 * 60 },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        const meta: RequestMeta = {
          ip: clientAddress({ get: (name) => headerValue(req?.headers, name) }, trustedProxies),
          userAgent: headerValue(req?.headers, "user-agent"),
        };
        const user = await authenticateWithPassword(
          await getDb(),
          credentials?.email ?? "",
          credentials?.password ?? "",
          meta,
        ).catch((error: unknown) => {
          throw error instanceof SignInThrottled
            ? new Error(throttledError(error.retryAfterSeconds))
            : error;
        });
        return {
          id: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          sessionVersion: user.sessionVersion,
        };
      },
    }),
    // Single sign-on is configuration, not code: see docs/authentication.md.
    ...oidcProvidersFromEnv(),
  ],
  callbacks: {
    async signIn({ user, account }) {
      if (!account || account.provider === "credentials") return true;
      // An identity provider proves who someone is; Closeline still decides whether they may enter.
      const db = await getDb();
      const known = user.email ? await findActiveUserByEmail(db, user.email) : null;
      await writeAudit(db, {
        actor: { type: "user", id: known?.id ?? null, label: user.email ?? null },
        action: known ? "auth.sign_in.succeeded" : "auth.sign_in.failed",
        after: {
          provider: account.provider,
          ...(known ? {} : { reason: "no active Closeline user with this email" }),
        },
      });
      return known ? true : "/sign-in?error=NoAccount";
    },
    async jwt({ token, user, account }) {
      if (user && account) {
        if (account.provider === "credentials") {
          token.uid = user.id;
          token.role = user.role;
          token.sv = user.sessionVersion;
        } else if (user.email) {
          const known = await findActiveUserByEmail(await getDb(), user.email);
          if (known) {
            token.uid = known.id;
            token.role = known.role;
            token.sv = known.sessionVersion;
          }
        }
      }
      return token;
    },
    async session({ session, token }) {
      if (token.uid && token.role) {
        session.user = {
          id: token.uid,
          email: session.user?.email ?? "",
          name: session.user?.name ?? null,
          role: token.role,
          sessionVersion: token.sv ?? -1,
        };
      }
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      if (!token?.uid) return;
      await writeAudit(await getDb(), {
        actor: { type: "user", id: token.uid, label: token.email ?? null },
        action: "auth.sign_out",
      });
    },
  },
};
