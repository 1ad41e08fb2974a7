"use client";

import { usePathname } from "next/navigation";
import { useQueryStates } from "nuqs";
import { showsGlobalFilters } from "@/lib/filters/applies";
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

/** Entity and time range, kept in the URL; changing them re-renders the page on the server. */
export function GlobalFilters({ entities }: { entities: string[] }) {
  const [filters, setFilters] = useQueryStates(globalFilterParsers, {
    shallow: false,
    history: "push",
  });
  const pathname = usePathname();
  if (!showsGlobalFilters(pathname)) return null;
  const range = filters.range ?? DEFAULT_RANGE;
  return (
    <form
      className="filters"
      role="search"
      aria-label="Filters"
      onSubmit={(e) => e.preventDefault()}
    >
      <label className="field">
        Entity
        <select
          name="entity"
          value={filters.entity ?? ""}
          onChange={(e) => void setFilters({ entity: e.target.value || null })}
        >
          <option value="">All entities</option>
          {entities.map((entity) => (
            <option key={entity} value={entity}>
              {entity}
            </option>
          ))}
        </select>
      </label>
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
              void setFilters({ range: next, from: filters.from ?? from, to: filters.to ?? to });
            } else {
              void setFilters({
                range: next === DEFAULT_RANGE ? null : next,
                from: null,
                to: null,
              });
            }
          }}
        >
          {RANGE_CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {RANGE_LABELS[choice]}
            </option>
          ))}
        </select>
      </label>
      {range === "custom" ? (
        <>
          <label className="field">
            From
            <input
              type="datetime-local"
              value={toLocalInput(filters.from)}
              onChange={(e) =>
                e.target.value && void setFilters({ from: new Date(e.target.value) })
              }
            />
          </label>
          <label className="field">
            To
            <input
              type="datetime-local"
              value={toLocalInput(filters.to)}
              onChange={(e) => e.target.value && void setFilters({ to: new Date(e.target.value) })}
            />
          </label>
        </>
      ) : null}
    </form>
  );
}
