import type { ReactNode } from "react";

/**
 * A button that runs an action from a click (not a form's submit): disabled while an action
 * runs, and saying so when given a pending label.
 */
export function PendingButton({
  pending,
  pendingLabel,
  className,
  ariaLabel,
  testId,
  onClick,
  children,
}: {
  pending: boolean;
  pendingLabel?: string;
  className?: "primary" | "danger";
  /** The button's name when its label alone would not say what it acts on. */
  ariaLabel?: string;
  testId?: string;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={className}
      disabled={pending}
      aria-label={ariaLabel}
      data-testid={testId}
      onClick={onClick}
    >
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
