/*
 * How a throttled sign-in travels: next-auth passes an authorize error on as text, the route
 * turns this text into 429 with Retry-After, and the form shows the wait. No server imports:
 * the sign-in form uses it too.
 */
export const THROTTLED_ERROR = /^throttled:(\d+)$/;

export const throttledError = (retryAfterSeconds: number) => `throttled:${retryAfterSeconds}`;

/** The seconds a throttled error asks to wait, or null for any other error. */
export function throttledSeconds(error: string | null | undefined): number | null {
  const match = error ? THROTTLED_ERROR.exec(error) : null;
  return match ? Number(match[1]) : null;
}

export function describeWait(totalSeconds: number): string {
  if (totalSeconds < 60) return `${totalSeconds} second${totalSeconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(totalSeconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
