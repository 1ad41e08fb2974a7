import type { Metadata } from "next";
import { getDb } from "@/db";
import { ROLE_LABEL } from "@/components/shell/role-label";
import { listPersonalTokens } from "@/lib/auth/api-keys";
import { guardPage } from "@/lib/auth/session";
import { TIME_ZONES, effectiveTimeZone } from "@/lib/auth/time-zone";
import { TimeZoneForm } from "./client";
import { TokenTable } from "./token-table";
import { CreateTokenForm } from "./tokens";

export const metadata: Metadata = { title: "Your profile" };

export default async function ProfilePage() {
  const user = await guardPage("/profile");
  const timeZone = effectiveTimeZone(user.timeZone);
  const tokens = await listPersonalTokens(await getDb(), user.id);
  return (
    <>
      <h1>Your profile</h1>
      <section className="card" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <dl className="facts">
          <div>
            <dt>Name</dt>
            <dd>{user.name ?? "—"}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{user.email}</dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>{ROLE_LABEL[user.role]}</dd>
          </div>
        </dl>
      </section>
      <section className="card" aria-labelledby="time-zone-heading">
        <h2 id="time-zone-heading">Time zone</h2>
        <p className="muted">
          Every date and time in Closeline is shown in this zone, with its offset from UTC. Periods
          and daily figures are still cut at midnight UTC, as the books are.
        </p>
        <TimeZoneForm current={timeZone} zones={TIME_ZONES} />
      </section>
      <section className="card" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Personal API tokens</h2>
        <p className="muted">
          For scripts that act as you through the API (see docs/api.md). Send one as{" "}
          <code>Authorization: Bearer &lt;token&gt;</code>.
        </p>
        <CreateTokenForm />
        {tokens.length > 0 ? <TokenTable tokens={tokens} showUser={false} /> : null}
      </section>
    </>
  );
}
