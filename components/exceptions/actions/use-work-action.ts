"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { EXCEPTIONS_QUERY_KEY } from "@/lib/exceptions/queue-params";
import type { ActionResult } from "@/lib/http/action-result";

/**
 * Runs a server action from an action panel: while it runs `pending` is true; on success
 * the page re-renders (new version, new timeline entry) and cached queues are dropped; on
 * failure `error` holds the message to show.
 */
export function useWorkAction() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = <T>(action: () => Promise<ActionResult<T>>, onSuccess?: (data: T) => void) => {
    setError(null);
    startTransition(async () => {
      const result = await action();
      if (!result.ok) {
        setError(result.error);
        return;
      }
      onSuccess?.(result.data);
      void queryClient.invalidateQueries({ queryKey: EXCEPTIONS_QUERY_KEY });
      router.refresh();
    });
  };
  return { run, pending, error, reload: () => router.refresh() };
}
