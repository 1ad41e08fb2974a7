"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { describeWait, throttledSeconds } from "@/lib/auth/throttle-message";

/** Seconds left until `until` (ms since the epoch), ticking once a second; 0 once past. */
function useSecondsUntil(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

export function SignInForm({
  callbackUrl,
  sso,
  initialError,
}: {
  callbackUrl: string | null;
  sso: { id: string; name: string }[];
  initialError: string | null;
}) {
  const router = useRouter();
  const initialWait = throttledSeconds(initialError);
  const [error, setError] = useState<string | null>(initialWait === null ? initialError : null);
  const [pending, setPending] = useState(false);
  const [retryAt, setRetryAt] = useState<number | null>(() =>
    initialWait === null ? null : Date.now() + initialWait * 1000,
  );
  const waitSeconds = useSecondsUntil(retryAt);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(false);
    const wait = throttledSeconds(result?.error);
    if (wait !== null) {
      setRetryAt(Date.now() + wait * 1000);
      return;
    }
    setRetryAt(null);
    if (!result || result.error) {
      setError(
        result?.error && result.error !== "CredentialsSignin"
          ? result.error
          : "Wrong email or password.",
      );
      return;
    }
    router.replace(callbackUrl ?? "/");
    router.refresh();
  }

  return (
    <form
      className="card"
      onSubmit={onSubmit}
      aria-labelledby="sign-in-heading"
      style={{ display: "grid", gap: "0.9rem" }}
    >
      <h1 id="sign-in-heading">Sign in to Closeline</h1>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
      {waitSeconds > 0 ? (
        <p className="alert error" role="alert">
          Too many failed sign-in attempts. Try again in{" "}
          {/* The countdown itself is not announced every second; the sentence is, once. */}
          <span aria-live="off" data-testid="sign-in-wait">
            {describeWait(waitSeconds)}
          </span>
          .
        </p>
      ) : null}
      <label className="field">
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label className="field">
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button className="primary" type="submit" disabled={pending || waitSeconds > 0}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {sso.map((provider) => (
        <button
          key={provider.id}
          type="button"
          onClick={() => void signIn(provider.id, { callbackUrl: callbackUrl ?? "/" })}
        >
          Continue with {provider.name}
        </button>
      ))}
    </form>
  );
}
