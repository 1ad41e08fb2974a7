import type { Metadata } from "next";
import { guardPage } from "@/lib/auth/session";
import { TIME_ZONES, effectiveTimeZone } from "@/lib/auth/time-zone";
import { TimeZoneForm } from "./client";

export const metadata: Metadata = { title: "Your profile" };

const ROLE_LABEL = {
  executive: "Executive",
  finance: "Finance",
  operations: "Operations",
  admin: "Admin",
} as const;

export default async function ProfilePage() {
  const user = await guardPage("/profile");
  const timeZone = effectiveTimeZone(user.timeZone);
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
    </>
  );
}
