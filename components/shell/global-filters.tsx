"use client";

import { usePathname } from "next/navigation";
import { useQueryStates } from "nuqs";
import { Options } from "@/components/forms/field";
import { shellFiltersFor } from "@/lib/filters/applicability";
import { globalFilterParsers } from "@/lib/filters/search-params";
import {
  RANGE_CHOICES,
  RANGE_LABELS,
  DEFAULT_RANGE,
  type RangeChoice,
} from "@/lib/filters/time-range";

function toLocalInput(date: Date | null): string {
  if (!date) return "";
  const offsetMs = date.getTimezoneOffset() * 60_000;
  return new Date(date.getTime() - offsetMs).toISOString().slice(0, 16);
}

/**
 * Entity and time range, kept in the URL; changing them re-renders the page on the server.
 * Only the filters the current page reads are shown (lib/filters/applicability.ts), and the
 * bar is absent where none apply. It decides from the browser's path because the layout
 * that renders it is not re-rendered when the user moves between pages.
 */
export function GlobalFilters({ entities }: { entities: string[] }) {
  const applies = shellFiltersFor(usePathname());
  const [filters, setFilters] = useQueryStates(globalFilterParsers, {
    shallow: false,
    history: "push",
  });
  const range = filters.range ?? DEFAULT_RANGE;
  if (applies.length === 0) return null;
  return (
    <header className="topbar">
      <form
        className="filters"
        role="search"
        aria-label="Filters"
        onSubmit={(e) => e.preventDefault()}
      >
        {applies.includes("entity") ? (
          <label className="field">
            Entity
            <select
              name="entity"
              value={filters.entity ?? ""}
              onChange={(e) => void setFilters({ entity: e.target.value || null })}
            >
              <option value="">All entities</option>
              <Options values={entities} />
            </select>
          </label>
        ) : null}
        {applies.includes("range") ? (
          <>
            <label className="field">
              Time range
              <select
                name="range"
                value={range}
                onChange={(e) => {
                  const next = e.target.value as RangeChoice;
                  if (next === "custom") {
                    const to = new Date();
                    const from = new Date(to.getTime() - 7 * 86_400_000);
                    void setFilters({
                      range: next,
                      from: filters.from ?? from,
                      to: filters.to ?? to,
                    });
                  } else {
                    void setFilters({
                      range: next === DEFAULT_RANGE ? null : next,
                      from: null,
                      to: null,
                    });
                  }
                }}
              >
                <Options values={RANGE_CHOICES} label={(choice) => RANGE_LABELS[choice]} />
              </select>
            </label>
            {range === "custom" ? (
              <>
                <BoundField
                  label="From"
                  value={filters.from}
                  onChange={(from) => void setFilters({ from })}
                />
                <BoundField
                  label="To"
                  value={filters.to}
                  onChange={(to) => void setFilters({ to })}
                />
              </>
            ) : null}
          </>
        ) : null}
      </form>
    </header>
  );
}

/** One end of a custom time range; a cleared field leaves the bound as it was. */
function BoundField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: Date | null;
  onChange: (at: Date) => void;
}) {
  return (
    <label className="field">
      {label}
      <input
        type="datetime-local"
        value={toLocalInput(value)}
        onChange={(e) => e.target.value && onChange(new Date(e.target.value))}
      />
    </label>
  );
}
