import type { Metadata } from "next";
import { getDb } from "@/db";
import { ROLE_LABEL } from "@/components/shell/role-label";
import { listPersonalTokens } from "@/lib/auth/api-keys";
import { guardPage } from "@/lib/auth/session";
import { TIME_ZONES, effectiveTimeZone } from "@/lib/auth/time-zone";
import { TimeZoneForm } from "./client";
import { TokenTable } from "./token-table";
import { DigestForm } from "@/components/digests/digest-form";
import { DigestsTable } from "@/components/digests/digests-table";
import { listChannels } from "@/lib/alerts/channels";
import { can } from "@/lib/auth/permissions";
import { listDigests } from "@/lib/digests/digests";
import { loadEntities } from "@/lib/entities";
import {
  createDigestAction,
  deleteDigestAction,
  setDigestEnabledAction,
  updateDigestAction,
} from "../digest-actions";
import { CreateTokenForm } from "./tokens";

export const metadata: Metadata = { title: "Your profile" };

export default async function ProfilePage() {
  const user = await guardPage("/profile");
  const timeZone = effectiveTimeZone(user.timeZone);
  const db = await getDb();
  const mayUseChannels = can(user.role, "alerts:manage");
  const [tokens, digests, entities, channels] = await Promise.all([
    listPersonalTokens(db, user.id),
    listDigests(db, { id: user.id, role: user.role }),
    loadEntities(db),
    mayUseChannels ? listChannels(db) : Promise.resolve([]),
  ]);
  const digestChannels = channels
    .filter((c) => c.active)
    .map((c) => ({ id: c.id, name: c.name, kind: c.kind }));
  const digestFormProps = { entities, zones: TIME_ZONES, defaultTimeZone: timeZone };
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
      <section className="card" aria-labelledby="digests-heading">
        <h2 id="digests-heading">Digests</h2>
        <p className="muted">
          A summary by e-mail, daily or weekly at a time of your choosing: close readiness per
          entity, the headline KPIs against their targets, the alerts firing and the five largest
          open exceptions by amount (the parts your role may read).
          {mayUseChannels ? " You may also send one to an alert channel." : null}
        </p>
        <DigestsTable
          digests={digests}
          setEnabled={setDigestEnabledAction}
          remove={deleteDigestAction}
          edit={(digest) => (
            <DigestForm
              action={updateDigestAction}
              digest={digest}
              channels={[]}
              submit="Save"
              pendingLabel="Saving…"
              {...digestFormProps}
            />
          )}
        />
        <h3>Add a digest</h3>
        <DigestForm
          action={createDigestAction}
          channels={digestChannels}
          submit="Subscribe"
          pendingLabel="Subscribing…"
          {...digestFormProps}
        />
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
