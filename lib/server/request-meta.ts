import "server-only";
import { headers } from "next/headers";
import type { AuditActor, RequestMeta } from "@/lib/audit";
import type { CurrentUser } from "@/lib/auth/session";
import { trustedProxies } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-address";

/** IP and user agent of the request a server action runs in, for the audit log. */
export async function actionMeta(): Promise<RequestMeta> {
  const h = await headers();
  return { ip: clientAddress(h, trustedProxies), userAgent: h.get("user-agent") };
}

export function userActor(user: CurrentUser): AuditActor {
  return { type: "user", id: user.id, label: user.email };
}
