import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import {
  BCRYPT_COST,
  PasswordSchema,
  generatePassword,
  hashPassword,
  verifyPassword,
} from "@/lib/auth/passwords";

describe("password hashing", () => {
  it("hashes with bcrypt at cost 12 and verifies only the right password", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(bcrypt.getRounds(hash)).toBe(BCRYPT_COST);
    expect(BCRYPT_COST).toBeGreaterThanOrEqual(12);
    expect(hash).not.toContain("correct horse");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterz", hash)).toBe(false);
  });

  it("tells apart long passwords that share their first 72 bytes", async () => {
    const prefix = "é".repeat(40); // 80 bytes of UTF-8: past bcrypt's 72-byte window
    const hash = await hashPassword(`${prefix}-one`);
    expect(await verifyPassword(`${prefix}-one`, hash)).toBe(true);
    expect(await verifyPassword(`${prefix}-two`, hash)).toBe(false);
  });

  it("treats composed and decomposed accents as the same password", async () => {
    const hash = await hashPassword("caf\u00e9 au lait, s'il vous pla\u00eet");
    expect(await verifyPassword("cafe\u0301 au lait, s'il vous plai\u0302t", hash)).toBe(true);
  });

  it("answers false, after a real comparison, when there is no hash", async () => {
    expect(await verifyPassword("anything at all here", null)).toBe(false);
  });
});

describe("password policy", () => {
  it("accepts 12 to 128 characters and refuses the rest with a reason", () => {
    expect(PasswordSchema.safeParse("a".repeat(12)).success).toBe(true);
    expect(PasswordSchema.safeParse("a".repeat(128)).success).toBe(true);
    expect(PasswordSchema.safeParse("a".repeat(11)).error?.issues[0]?.message).toBe(
      "must be at least 12 characters",
    );
    expect(PasswordSchema.safeParse("a".repeat(129)).error?.issues[0]?.message).toBe(
      "must be at most 128 characters",
    );
  });

  it("generates passwords that pass it and do not repeat", () => {
    const a = generatePassword();
    expect(PasswordSchema.safeParse(a).success).toBe(true);
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });
});
