import type { InputHTMLAttributes } from "react";

/**
 * An ISO 4217 currency code typed in (USD, eur): three letters, required. The server upper-cases
 * and checks it; the pattern only stops a form that could never be right from being sent.
 */
export function CurrencyCodeInput({
  size = 4,
  ...props
}: { name: string } & Omit<InputHTMLAttributes<HTMLInputElement>, "pattern" | "maxLength">) {
  return <input required pattern="[A-Za-z]{3}" maxLength={3} size={size} {...props} />;
}
