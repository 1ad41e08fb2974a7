import type { Metadata } from "next";
import { guardPage } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Close" };

export default async function ClosePage() {
  await guardPage("/close");
  return (
    <>
      <h1>Close</h1>
    </>
  );
}
