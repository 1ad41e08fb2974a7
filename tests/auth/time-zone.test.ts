import { randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, users } from "@/db/schema";
import { SYSTEM_ACTOR, type AuditActor } from "@/lib/audit";
import { loadSessionUser } from "@/lib/auth/session";
import {
  TIME_ZONES,
  TimeZoneSchema,
  effectiveTimeZone,
  isTimeZone,
  setUserTimeZone,
} from "@/lib/auth/time-zone";
import { createUser } from "@/lib/auth/users";
import { InvalidInput, NotFound } from "@/lib/errors";
import { testDbForSuite } from "../support/db";

const t = testDbForSuite();

async function newUser(label: string) {
  const email = `${label}.${randomBytes(4).toString("hex")}@example.com`;
  const user = await createUser(t.db, { email, role: "finance" }, SYSTEM_ACTOR);
  const actor: AuditActor = { type: "user", id: user.id, label: user.email };
  return { user, actor };
}

async function storedZone(id: string) {
  const [row] = await t.db.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, id));
  return row!.timeZone;
}

async function zoneAudit(id: string) {
  return t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetId, id), eq(auditLog.action, "user.time_zone_changed")))
    .orderBy(asc(auditLog.id));
}

describe("time-zone names", () => {
  it("accepts UTC and IANA names, including renamed ones a browser reports", () => {
    expect(TIME_ZONES[0]).toBe("UTC");
    expect(TIME_ZONES).toContain("Europe/Paris");
    expect(TIME_ZONES.every(isTimeZone)).toBe(true);
    for (const zone of ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Europe/Kyiv"]) {
      expect(isTimeZone(zone)).toBe(true);
    }
    expect(TimeZoneSchema.parse("  Europe/Paris ")).toBe("Europe/Paris");
  });

  it.each([
    "",
    "Mars/Olympus_Mons",
    "CET",
    "EST5EDT",
    "europe/paris",
    "GMT+2",
    "<script>",
    "UTC; drop",
  ])("refuses %j", (zone) => {
    expect(TimeZoneSchema.safeParse(zone).success).toBe(false);
  });

  it("renders an unknown stored zone as UTC rather than failing the page", () => {
    expect(effectiveTimeZone("Europe/Paris")).toBe("Europe/Paris");
    expect(effectiveTimeZone("Nowhere/Land")).toBe("UTC");
    expect(effectiveTimeZone(null)).toBe("UTC");
  });
});

describe("setUserTimeZone", () => {
  it("starts every user on UTC", async () => {
    const { user } = await newUser("fresh");
    expect(await storedZone(user.id)).toBe("UTC");
    const session = await loadSessionUser(t.db, user.id, user.sessionVersion);
    expect(session?.timeZone).toBe("UTC");
  });

  it("stores the zone on that user only, audits it, and the session reads it", async () => {
    const { user, actor } = await newUser("paris");
    const { user: other } = await newUser("other");

    const change = await setUserTimeZone(t.db, user.id, "Europe/Paris", actor);
    expect(change).toEqual({ before: "UTC", after: "Europe/Paris", changed: true });
    expect(await storedZone(user.id)).toBe("Europe/Paris");
    expect(await storedZone(other.id)).toBe("UTC");

    // A preference is not a loss of access: the user's sessions stay valid.
    const session = await loadSessionUser(t.db, user.id, user.sessionVersion);
    expect(session?.timeZone).toBe("Europe/Paris");

    const audit = await zoneAudit(user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorType: "user",
      actorId: user.id,
      targetType: "user",
      before: { email: user.email, timeZone: "UTC" },
      after: { email: user.email, timeZone: "Europe/Paris" },
    });
  });

  it("writes nothing when the zone is unchanged", async () => {
    const { user, actor } = await newUser("same");
    await setUserTimeZone(t.db, user.id, "Asia/Tokyo", actor);
    const again = await setUserTimeZone(t.db, user.id, "Asia/Tokyo", actor);
    expect(again.changed).toBe(false);
    expect(await zoneAudit(user.id)).toHaveLength(1);
  });

  it("refuses an unknown zone and leaves the stored one and the log alone", async () => {
    const { user, actor } = await newUser("bad");
    await expect(setUserTimeZone(t.db, user.id, "Atlantis/Capital", actor)).rejects.toThrow(
      InvalidInput,
    );
    expect(await storedZone(user.id)).toBe("UTC");
    expect(await zoneAudit(user.id)).toHaveLength(0);
  });

  it("answers NotFound for a user that does not exist", async () => {
    const { actor } = await newUser("ghost");
    await expect(
      setUserTimeZone(t.db, "00000000-0000-4000-8000-000000000000", "UTC", actor),
    ).rejects.toThrow(NotFound);
  });
});
