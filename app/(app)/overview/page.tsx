import type { Metadata } from "next";
import { guardPage } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  await guardPage("/overview");
  return (
    <>
      <h1>Overview</h1>
    </>
  );
}
