import { ROLES, type Role } from "@/db/schema";
import { CLI_ACTOR } from "@/lib/audit";
import { generatePassword } from "@/lib/auth/passwords";
import {
  createUser,
  deactivateUser,
  listUsers,
  reactivateUser,
  setPassword,
  setUserRole,
} from "@/lib/auth/users";
import { type Command, type CommandContext, optionalString, stringValue } from "./command";
import { formatTime } from "./output";

const roles = ROLES.join("|");

const create: Command = {
  name: "user create",
  usage: `--email E --role ${roles} [--name N] [--password P]`,
  summary: "Create a user; without --password a strong one is generated and printed once",
  options: {
    email: { type: "string" },
    role: { type: "string" },
    name: { type: "string" },
    password: { type: "string" },
  },
  required: ["email", "role"],
  async run({ getDb, out }, args) {
    const given = optionalString(args, "password");
    const password = given ?? generatePassword();
    const user = await createUser(
      await getDb(),
      {
        email: stringValue(args, "email"),
        role: stringValue(args, "role") as Role,
        name: optionalString(args, "name"),
        password,
      },
      CLI_ACTOR,
    );
    out.line(`Created ${user.role} user ${user.email} (id ${user.id}).`);
    if (given === undefined) printGenerated(out.line.bind(out), password);
  },
};

const list: Command = {
  name: "user list",
  summary: "List users with their role and status",
  async run({ getDb, out }) {
    const users = await listUsers(await getDb());
    out.table(
      ["EMAIL", "NAME", "ROLE", "STATUS", "PASSWORD", "CREATED"],
      users.map((u) => [
        u.email,
        u.name ?? "-",
        u.role,
        u.active ? "active" : "deactivated",
        u.hasPassword ? "set" : "none",
        formatTime(u.createdAt),
      ]),
      "No users yet. Create one with: npm run closeline -- user create --email E --role admin",
    );
  },
};

const setRole: Command = {
  name: "user set-role",
  usage: `--email E --role ${roles}`,
  summary: "Change a user's role; their sessions end",
  options: { email: { type: "string" }, role: { type: "string" } },
  required: ["email", "role"],
  async run({ getDb, out }, args) {
    const role = stringValue(args, "role") as Role;
    const { before, after, changed } = await setUserRole(
      await getDb(),
      { email: stringValue(args, "email") },
      role,
      CLI_ACTOR,
    );
    out.line(
      changed
        ? `Changed the role of ${after.email} from ${before.role} to ${after.role}; their sessions have ended.`
        : `${after.email} already has the role ${after.role}; nothing changed.`,
    );
  },
};

/** Deactivating and reactivating: one option, the opposite change, each saying what it did. */
function activationCommand(spec: {
  name: string;
  summary: string;
  change: typeof deactivateUser;
  done: (email: string) => string;
  already: (email: string) => string;
}): Command {
  return {
    name: spec.name,
    usage: "--email E",
    summary: spec.summary,
    options: { email: { type: "string" } },
    required: ["email"],
    async run({ getDb, out }, args) {
      const { after, changed } = await spec.change(
        await getDb(),
        { email: stringValue(args, "email") },
        CLI_ACTOR,
      );
      out.line(changed ? spec.done(after.email) : spec.already(after.email));
    },
  };
}

const deactivate = activationCommand({
  name: "user deactivate",
  summary: "Take a user's access away; their sessions end",
  change: deactivateUser,
  done: (email) => `Deactivated ${email}; their sessions have ended.`,
  already: (email) => `${email} is already deactivated; nothing changed.`,
});

const reactivate = activationCommand({
  name: "user reactivate",
  summary: "Give a deactivated user access again",
  change: reactivateUser,
  done: (email) => `Reactivated ${email}; they can sign in again.`,
  already: (email) => `${email} is already active; nothing changed.`,
});

const setPasswordCommand: Command = {
  name: "user set-password",
  usage: "--email E  (password on standard input, else one is generated)",
  summary: "Set a user's password; their sessions end",
  options: { email: { type: "string" } },
  required: ["email"],
  readsStdin: true,
  async run(ctx: CommandContext, args) {
    const { getDb, out, stdin } = ctx;
    // Standard input rather than a flag, so the password stays out of shell history and `ps`.
    const piped = stdin?.split(/\r?\n/, 1)[0] ?? "";
    const password = piped.length > 0 ? piped : generatePassword();
    const { after } = await setPassword(
      await getDb(),
      { email: stringValue(args, "email") },
      password,
      CLI_ACTOR,
    );
    out.line(`Set a new password for ${after.email}; their sessions have ended.`);
    if (piped.length === 0) printGenerated(out.line.bind(out), password);
  },
};

function printGenerated(line: (text: string) => void, password: string): void {
  line("Generated password, shown only this once:");
  line(password);
}

export const userCommands = [create, list, setRole, deactivate, reactivate, setPasswordCommand];
