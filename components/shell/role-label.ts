import type { CurrentUser } from "@/lib/auth/session";

/** Each role as people read it: in the shell beside the user, and on their profile. */
export const ROLE_LABEL: Record<CurrentUser["role"], string> = {
  executive: "Executive",
  finance: "Finance",
  operations: "Operations",
  admin: "Admin",
};
