"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { EXCEPTIONS_QUERY_KEY } from "@/lib/exceptions/queue-params";
import type { ActionFailure, ActionResult } from "@/lib/http/action-result";
import { useConfirmation } from "./action-confirmation";

/**
 * Runs a server action from an action panel: while it runs, and until the page has
 * re-rendered, `pending` is true; on success the page re-renders (new version, new timeline
 * entry), cached queues are dropped and `confirmation` says what was done until the next
 * action; on failure `error` holds the failure: its code and the message to show.
 */
export function useWorkAction() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<ActionFailure | null>(null);
  const { confirmation, confirm } = useConfirmation();
  const run = <T>(action: () => Promise<ActionResult<T>>, done: string | ((data: T) => string)) => {
    setError(null);
    confirm(null);
    startTransition(async () => {
      const result = await action();
      if (!result.ok) {
        setError(result);
        return;
      }
      void queryClient.invalidateQueries({ queryKey: EXCEPTIONS_QUERY_KEY });
      // The confirmation and the refreshed page (its new version) commit together: a message
      // shown before the refresh landed invited a next action on the old version, refused as
      // stale. An update after an await needs its own transition to join the refresh's.
      startTransition(() => {
        confirm(typeof done === "string" ? done : done(result.data));
        router.refresh();
      });
    });
  };
  return { run, pending, error, confirmation, reload: () => router.refresh() };
}
