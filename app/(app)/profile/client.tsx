"use client";

import {
  startTransition,
  useActionState,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { formatDateTime } from "@/lib/format";
import { browserZone } from "@/lib/time-zone-name";
import { setTimeZoneAction } from "./actions";

/** "Europe/Paris" → "Europe", so the long list is grouped the way people look for a city. */
function regionOf(zone: string): string {
  return zone.includes("/") ? zone.slice(0, zone.indexOf("/")) : "Universal";
}

const noSubscription = () => () => {};

/** Stable within a minute, as a snapshot must be, and precise enough for a preview in minutes. */
function currentMinute(): number {
  return Math.floor(Date.now() / 60_000) * 60_000;
}

export function TimeZoneForm({ current, zones }: { current: string; zones: readonly string[] }) {
  const [state, action, pending] = useActionState(setTimeZoneAction, null);
  const [choice, setChoice] = useState(current);
  // Only the browser knows its zone and clock; the server renders without them, so the first
  // render in the browser matches the server's and they appear once hydrated.
  const detected = useSyncExternalStore(noSubscription, browserZone, () => null);
  const minute = useSyncExternalStore(noSubscription, currentMinute, () => null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (state) statusRef.current?.focus();
  }, [state]);

  const groups = useMemo(() => {
    const all = zones.includes(choice) ? zones : [choice, ...zones];
    const byRegion = new Map<string, string[]>();
    for (const zone of all) {
      const region = regionOf(zone);
      byRegion.set(region, [...(byRegion.get(region) ?? []), zone]);
    }
    return [...byRegion];
  }, [zones, choice]);

  return (
    <form
      className="form-row"
      // Submitted by hand, not through `action`: React resets a form after its action, which
      // would show the old zone in the select while the new one is saved.
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        startTransition(() => action(form));
      }}
    >
      <label className="field">
        Time zone
        <select
          name="timeZone"
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
          data-testid="time-zone-select"
        >
          {groups.map(([region, list]) => (
            <optgroup key={region} label={region}>
              {list.map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replaceAll("_", " ")}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      {detected && detected !== choice ? (
        <button type="button" onClick={() => setChoice(detected)}>
          Use this device&apos;s zone ({detected.replaceAll("_", " ")})
        </button>
      ) : null}
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save time zone"}
      </button>
      {minute !== null ? (
        <p className="muted" style={{ flexBasis: "100%", margin: 0 }}>
          The time now reads <strong>{formatDateTime(new Date(minute), choice)}</strong>
        </p>
      ) : null}
      {state ? (
        <p
          ref={statusRef}
          tabIndex={-1}
          className={state.ok ? "alert success" : "alert error"}
          role={state.ok ? "status" : "alert"}
          style={{ flexBasis: "100%" }}
          data-testid="time-zone-result"
        >
          {state.ok
            ? `Saved: dates now show in ${state.data.timeZone.replaceAll("_", " ")}.`
            : state.error}
        </p>
      ) : null}
    </form>
  );
}
