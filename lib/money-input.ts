import { InvalidInput } from "@/lib/errors";
import { currencyDigits } from "@/lib/format";

/**
 * Turns what a person typed ("1,250.50") into integer minor units for the currency, by
 * string arithmetic: no amount passes through a binary fraction, and more decimals than
 * the currency has is an error rather than a silent rounding.
 */
export function parseMoneyInput(text: string, currency: string): number {
  const cleaned = text.replace(/[\s,_]/g, "");
  const match = /^(\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (!match) throw new InvalidInput("amount: enter a positive number such as 1250.50");
  const digits = currencyDigits(currency);
  const fraction = match[2] ?? "";
  if (fraction.length > digits) {
    throw new InvalidInput(`amount: ${currency} has ${digits} decimal${digits === 1 ? "" : "s"}`);
  }
  const minor =
    BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, "0") || "0");
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidInput("amount: too large");
  return Number(minor);
}
