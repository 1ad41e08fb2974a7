"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import type { Assignee } from "@/lib/exceptions/detail";
import {
  AGE_CHOICES,
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  type QueueParams,
} from "@/lib/exceptions/queue-params";
import {
  CLOSED_STATUSES,
  DIRECTION_LABELS,
  SORT_LABELS,
  SORTS,
  STATUS_LABELS,
  STATUSES,
  type ExceptionStatus,
} from "@/lib/exceptions/vocabulary";
import { ChoiceOptions, Options } from "@/components/forms/field";
import { OtherAssigneeOptions } from "../assignee-options";
import styles from "../exceptions.module.css";

/*
 * The queue's filters. Each one is a URL param (lib/exceptions/queue-params.ts); the form
 * says which of the shell's filters apply here and which do not.
 */

/** The status filter as one select: named groups, or a single status. */
const STATUS_CHOICES: { value: string; label: string; statuses: ExceptionStatus[] | null }[] = [
  {
    value: "",
    label: "Not closed (open, in progress, awaiting approval or confirmation)",
    statuses: null,
  },
  ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s], statuses: [s] })),
  { value: "closed", label: "Closed (resolved or dismissed)", statuses: [...CLOSED_STATUSES] },
  { value: "all", label: "Every status", statuses: [...STATUSES] },
];

function statusChoice(statuses: ExceptionStatus[] | null): string {
  if (!statuses || statuses.length === 0) return "";
  const key = [...statuses].sort().join(",");
  return (
    STATUS_CHOICES.find((c) => c.statuses && [...c.statuses].sort().join(",") === key)?.value ??
    "custom"
  );
}

const AGE_LABELS: Record<(typeof AGE_CHOICES)[number], string> = {
  "1h": "Older than 1 hour",
  "24h": "Older than 24 hours",
  "72h": "Older than 72 hours",
  "7d": "Older than 7 days",
};

type Sort = NonNullable<QueueParams["sort"]>;
type Direction = NonNullable<QueueParams["dir"]>;

/** Every order as one choice, for readers without the column headers (cards on a phone). */
const SORT_CHOICES = SORTS.flatMap((sort) =>
  (["desc", "asc"] as const).map((dir) => ({
    value: `${sort}:${dir}`,
    label: `${SORT_LABELS[sort]}, ${DIRECTION_LABELS[sort][dir]}`,
  })),
);

export function Filters({
  params,
  sort,
  direction,
  viewer,
  assignees,
  onChange,
}: {
  params: QueueParams;
  sort: Sort;
  direction: Direction;
  viewer: { id: string; label: string };
  assignees: Assignee[];
  onChange: (patch: Partial<QueueParams>) => void;
}) {
  // Text and numbers apply on Enter or when the field is left, not at every keystroke.
  const [search, setSearch] = useState(params.q ?? "");
  const [min, setMin] = useState(params.min?.toString() ?? "");
  const [max, setMax] = useState(params.max?.toString() ?? "");
  const [rmin, setRmin] = useState(params.rmin ?? "");
  // When the URL changes under the form (back button, "clear the filters"), the fields follow.
  const urlFields = { q: params.q, min: params.min, max: params.max, rmin: params.rmin };
  const [shown, setShown] = useState(urlFields);
  if (
    shown.q !== params.q ||
    shown.min !== params.min ||
    shown.max !== params.max ||
    shown.rmin !== params.rmin
  ) {
    setShown(urlFields);
    setSearch(params.q ?? "");
    setMin(params.min?.toString() ?? "");
    setMax(params.max?.toString() ?? "");
    setRmin(params.rmin ?? "");
  }
  const number = (value: string) =>
    value.trim() === "" || !Number.isFinite(Number(value)) ? null : Number(value);
  const apply = () => {
    const patch: Partial<QueueParams> = {};
    if ((search.trim() || null) !== params.q) patch.q = search.trim() || null;
    if (number(min) !== params.min) patch.min = number(min);
    if (number(max) !== params.max) patch.max = number(max);
    // Kept as typed: the server reads it exactly in the reporting currency's minor units.
    if ((rmin.trim() || null) !== params.rmin) patch.rmin = rmin.trim() || null;
    if (Object.keys(patch).length > 0) onChange(patch);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply();
  };
  const ownerKnown =
    !params.owner ||
    ["me", "unassigned"].includes(params.owner) ||
    assignees.some((a) => a.id === params.owner);
  const status = statusChoice(params.status);
  return (
    <form
      className="form-row"
      role="search"
      aria-label="Filter the queue"
      onSubmit={onSubmit}
      style={{ marginTop: "0.75rem" }}
    >
      <FilterSelect
        label="Status"
        value={status}
        onChange={(choice) =>
          onChange({ status: STATUS_CHOICES.find((c) => c.value === choice)?.statuses ?? null })
        }
      >
        <ChoiceOptions choices={STATUS_CHOICES} />
        {status === "custom" ? (
          <option value="custom">{params.status!.map((s) => STATUS_LABELS[s]).join(", ")}</option>
        ) : null}
      </FilterSelect>
      <FilterSelect
        label="Owner"
        value={params.owner ?? ""}
        onChange={(owner) => onChange({ owner: owner || null })}
      >
        <option value="">Anyone</option>
        <option value="me">Me ({viewer.label})</option>
        <option value="unassigned">Nobody (unassigned)</option>
        <OtherAssigneeOptions assignees={assignees} viewerId={viewer.id} />
        {ownerKnown ? null : <option value={params.owner!}>Another user</option>}
      </FilterSelect>
      <FilterSelect
        label="Age"
        value={params.age ?? ""}
        onChange={(age) => onChange({ age: (age || null) as QueueParams["age"] })}
      >
        <option value="">Any age</option>
        <Options values={AGE_CHOICES} label={(a) => AGE_LABELS[a]} />
      </FilterSelect>
      <AmountField label="Amount at least" value={min} onChange={setMin} onBlur={apply} />
      <AmountField label="Amount at most" value={max} onChange={setMax} onBlur={apply} />
      <AmountField
        label="In reporting currency at least"
        value={rmin}
        onChange={setRmin}
        onBlur={apply}
      />
      <label className="field">
        Search
        <input
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onBlur={apply}
          placeholder="Title words or an id"
          maxLength={200}
        />
      </label>
      <FilterSelect
        label="Sort by"
        value={`${sort}:${direction}`}
        onChange={(order) => {
          const [nextSort, nextDir] = order.split(":") as [Sort, Direction];
          onChange({
            sort: nextSort === "opened_at" ? null : nextSort,
            dir: nextDir,
          });
        }}
      >
        <ChoiceOptions choices={SORT_CHOICES} />
      </FilterSelect>
      <FilterSelect
        label="Per page"
        value={params.size ?? DEFAULT_PAGE_SIZE}
        onChange={(choice) => {
          const size = Number(choice) as (typeof PAGE_SIZES)[number];
          onChange({ size: size === DEFAULT_PAGE_SIZE ? null : size });
        }}
      >
        <Options values={PAGE_SIZES} />
      </FilterSelect>
      <label className={styles.checkField}>
        <input
          type="checkbox"
          checked={params.blocking ?? false}
          onChange={(e) => onChange({ blocking: e.target.checked ? true : null })}
        />
        Blocks a close
      </label>
      <button type="submit">Apply</button>
      <p className={`muted ${styles.scopeNote}`} data-testid="queue-scope">
        <strong>Applies here:</strong> the entity filter at the top. <strong>Ignored here:</strong>{" "}
        the time range at the top — an exception stays in the queue whatever its age; use Age to
        narrow by age. “Blocks a close” keeps the exceptions that make a close-readiness check fail
        for their entity in a month not yet closed (this month and the five before). “Amount at
        least/most” compare in each exception&apos;s own currency, without conversion (100 EUR
        beside 100 USD); “In reporting currency” compares and sorts the amount converted at the rate
        in effect on the day the exception opened, and leaves out those with an unknown amount or no
        rate.
      </p>
    </form>
  );
}

/** A filter chosen from a list, applied as soon as it is chosen. */
function FilterSelect({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: string | number;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  return (
    <label className="field">
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </label>
  );
}

/** An amount bound in major units, applied when the field is left (or on Enter). */
function AmountField({
  label,
  value,
  onChange,
  onBlur,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  onBlur: () => void;
}) {
  return (
    <label className="field">
      {label}
      <input
        type="number"
        inputMode="decimal"
        min={0}
        step="any"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        style={{ width: "8rem" }}
      />
    </label>
  );
}
