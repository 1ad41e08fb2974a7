import fs from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/db/client";
import { listExistingEmails, upsertUserWithPassword } from "@/db/queries/users";
import { ROLES, type Role } from "@/db/schema";
import { SYSTEM_ACTOR, writeAudit } from "@/lib/audit";
import { generatePassword, hashPassword } from "@/lib/auth/passwords";
import { env } from "@/lib/env";

/*
 * Demo mode (embedded database, simulator on) seeds one user per role so a first-time user can
 * look around. Their passwords are random per installation and kept in the git-ignored data
 * folder, so the repository holds no credential that works anywhere.
 */

export interface DemoCredential {
  role: Role;
  email: string;
  password: string;
}

export function isDemoMode(): boolean {
  return env.CLOSELINE_DEMO === "on" && !env.DATABASE_URL;
}

function credentialsFile(): string {
  return path.resolve(env.CLOSELINE_DATA_DIR, "demo-credentials.json");
}

export const demoEmail = (role: Role) => `${role}@demo.closeline.local`;

export async function ensureDemoUsers(db: Db): Promise<void> {
  if (!isDemoMode()) return;
  const existing = await readCredentialsFile();
  const emails = ROLES.map(demoEmail);
  const present = await listExistingEmails(db, emails);
  if (existing.length === ROLES.length && present.length === ROLES.length) return;

  const credentials: DemoCredential[] = [];
  for (const role of ROLES) {
    const email = demoEmail(role);
    const known = existing.find((c) => c.email === email);
    if (known && present.includes(email)) {
      credentials.push(known);
      continue;
    }
    const password = generatePassword();
    await db.transaction(async (tx) => {
      const passwordHash = await hashPassword(password);
      const id = await upsertUserWithPassword(tx, {
        email,
        name: `Demo ${role}`,
        role,
        passwordHash,
      });
      await writeAudit(tx, {
        actor: SYSTEM_ACTOR,
        action: "user.created",
        target: { type: "user", id },
        after: { email, role, demo: true },
      });
    });
    credentials.push({ role, email, password });
  }
  await fs.mkdir(path.dirname(credentialsFile()), { recursive: true });
  await fs.writeFile(credentialsFile(), JSON.stringify(credentials, null, 2), { mode: 0o600 });
}

async function readCredentialsFile(): Promise<DemoCredential[]> {
  try {
    return JSON.parse(await fs.readFile(credentialsFile(), "utf8")) as DemoCredential[];
  } catch {
    return [];
  }
}

/** The demo accounts to show on the sign-in page: none unless in demo mode. */
export async function readDemoCredentials(): Promise<DemoCredential[]> {
  return isDemoMode() ? readCredentialsFile() : [];
}
