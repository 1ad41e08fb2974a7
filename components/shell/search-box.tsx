"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import type { SearchKind, SearchResult } from "@/lib/contract/thread-api";
import styles from "./search-box.module.css";

/*
 * Find any record by its id or the start of it, from every page. An ARIA combobox: the input
 * owns a listbox of results; arrows move the active option (aria-activedescendant), Enter
 * opens it (the first when none is active), Escape closes the list. Ctrl-K or ⌘K focuses the
 * input from anywhere. Results come from GET /api/v1/search, which checks the role itself.
 */

const KIND_LABELS: Record<SearchKind, string> = {
  customer: "Customer",
  invoice: "Invoice",
  posting: "ERP posting",
  payment: "Payment",
  contract: "Contract",
  reconciliation_run: "Reconciliation run",
  exception: "Exception",
  incident: "Incident",
  event: "Event",
};

/** Typing pauses this long before a search is sent. */
const DEBOUNCE_MS = 150;

export function SearchBox() {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<SearchResult[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState("");

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    const q = query.trim();
    if (q === "") return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const response = await fetch(`/api/v1/search?q=${encodeURIComponent(q)}`, {
          signal: controller.signal,
        });
        if (!response.ok) {
          setResults([]);
          setStatus("Search is not available right now");
          return;
        }
        const body = (await response.json()) as { results: SearchResult[] };
        setResults(body.results);
        setActive(body.results.length > 0 ? 0 : -1);
        setOpen(true);
        setStatus(
          body.results.length === 0
            ? `Nothing starts with ${q}`
            : `${body.results.length} result${body.results.length === 1 ? "" : "s"}`,
        );
      } catch {
        // A newer keystroke aborted this search; its own answer follows.
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);

  const go = (result: SearchResult | undefined) => {
    if (!result) return;
    setOpen(false);
    setQuery("");
    setResults([]);
    router.push(result.url);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" && results.length > 0) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % results.length);
    } else if (e.key === "ArrowUp" && results.length > 0) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i <= 0 ? results.length - 1 : i - 1));
    } else if (e.key === "Enter") {
      e.preventDefault();
      go(results[active >= 0 ? active : 0]);
    } else if (e.key === "Escape") {
      setOpen(false);
    }
  };

  const expanded = open && query.trim() !== "" && results.length > 0;
  const optionId = (i: number) => `${listId}-option-${i}`;
  return (
    <div className={styles.box} role="search" aria-label="Find by id">
      <label htmlFor={`${listId}-input`} className={styles.hint}>
        Find by id <kbd>Ctrl</kbd>+<kbd>K</kbd>
      </label>
      <input
        ref={input}
        id={`${listId}-input`}
        type="search"
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        placeholder="Customer, invoice, payment…"
        autoComplete="off"
        spellCheck={false}
        value={query}
        data-testid="shell-search"
        onChange={(e) => {
          setQuery(e.target.value);
          if (e.target.value.trim() === "") {
            setResults([]);
            setOpen(false);
            setStatus("");
          }
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Search results"
        className={styles.list}
        hidden={!expanded}
      >
        {results.map((result, i) => (
          <li
            key={`${result.kind}:${result.id}`}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={styles.option}
            // Chosen on mouse down, before the input's blur closes the list.
            onMouseDown={(e) => {
              e.preventDefault();
              go(result);
            }}
            onMouseEnter={() => setActive(i)}
          >
            <span className={styles.kind}>{KIND_LABELS[result.kind]}</span>
            {result.title}
          </li>
        ))}
      </ul>
      <span role="status" className="visually-hidden">
        {status}
      </span>
    </div>
  );
}
