import type { ReactNode } from "react";

/**
 * A secret right after it was created (an API key, a token, a signing secret): shown this once
 * with the words that say so, since Closeline keeps only a hash or a sealed copy.
 */
export function ShownOnce({
  children,
  secret,
  testId,
}: {
  children: ReactNode;
  secret: string | null;
  testId?: string;
}) {
  return (
    <div className="alert success" role="status" style={{ flexBasis: "100%" }}>
      <p style={{ marginTop: 0 }}>{children}</p>
      {secret ? (
        <div className="secret" data-testid={testId}>
          {secret}
        </div>
      ) : null}
    </div>
  );
}
