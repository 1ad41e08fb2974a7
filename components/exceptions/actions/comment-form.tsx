"use client";

import { useState } from "react";
import { COMMENT_MAX_LENGTH } from "@/lib/exceptions/vocabulary";
import type { WorkResult } from "@/lib/exceptions/workflow";
import type { ActionResult } from "@/lib/http/action-result";
import styles from "../exceptions.module.css";
import { ActionError } from "./action-error";
import { ActionConfirmation } from "./action-confirmation";
import { useWorkAction } from "./use-work-action";

/** Adds a comment to the timeline. Comments are permanent: they cannot be edited or deleted. */
export function CommentForm({
  exception,
  comment,
}: {
  exception: { id: string; version: number };
  comment: (input: {
    id: string;
    version: number;
    body: string;
  }) => Promise<ActionResult<WorkResult>>;
}) {
  const [body, setBody] = useState("");
  const { run, pending, error, confirmation, reload } = useWorkAction();
  return (
    <form
      className={styles.actionForm}
      onSubmit={(e) => {
        e.preventDefault();
        run(
          () => comment({ id: exception.id, version: exception.version, body }),
          () => {
            setBody("");
            return "Comment added to the timeline.";
          },
        );
      }}
      aria-labelledby="comment-heading"
    >
      <h3 id="comment-heading">Add a comment</h3>
      <label className="field">
        Comment (kept in the record; it cannot be edited later)
        <textarea
          value={body}
          onChange={(e) => setBody(e.target.value)}
          required
          maxLength={COMMENT_MAX_LENGTH}
        />
      </label>
      <div>
        <button type="submit" disabled={pending || body.trim() === ""}>
          {pending ? "Adding…" : "Add comment"}
        </button>
      </div>
      <ActionConfirmation confirmation={confirmation} />
      <ActionError error={error} onReload={reload} />
    </form>
  );
}
