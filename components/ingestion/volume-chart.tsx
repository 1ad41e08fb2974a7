"use client";

import dynamic from "next/dynamic";
import { useId, useState } from "react";
import {
  TIME_SERIES_HEIGHT,
  describeSeries,
  type SeriesPoint,
} from "@/components/chart/chart-theme";
import { formatCount } from "@/lib/format";

/*
 * One daily volume chart with a picker of source and event type: small multiples of a dozen
 * pairs would not fit a phone, and the silent pair the table flags is the one to look at first.
 */

const ChartBarEventVolume = dynamic(
  () => import("@/components/chart/chart-bar-event-volume").then((m) => m.ChartBarEventVolume),
  {
    ssr: false,
    loading: () => <div className="skeleton" style={{ height: TIME_SERIES_HEIGHT }} aria-hidden />,
  },
);

export interface VolumeSeries {
  source: string;
  type: string;
  points: SeriesPoint[];
}

export function VolumeChart({ series }: { series: VolumeSeries[] }) {
  const [index, setIndex] = useState(0);
  const pickerId = useId();
  const current = series[index];
  if (!current) return <p className="muted">No source has sent events yet.</p>;
  const total = current.points.reduce((sum, p) => sum + (p.value ?? 0), 0);
  return (
    <div>
      <div className="filters">
        <label className="field" htmlFor={pickerId} style={{ maxWidth: "100%" }}>
          Source and event type
          <select
            id={pickerId}
            style={{ maxWidth: "100%" }}
            value={index}
            onChange={(e) => setIndex(Number(e.target.value))}
          >
            {series.map((s, i) => (
              <option key={`${s.source} ${s.type}`} value={i}>
                {s.source} · {s.type}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted" data-testid="volume-total">
        {formatCount(total)} accepted events from {current.source} ({current.type}) in these days.
      </p>
      {total === 0 ? (
        <p className="muted">No accepted events from this source and type in these days.</p>
      ) : (
        <figure
          style={{ margin: 0 }}
          aria-label={`Accepted ${current.type} events from ${current.source} per UTC day: ${describeSeries(current.points, formatCount)}`}
        >
          <ChartBarEventVolume points={current.points} />
        </figure>
      )}
    </div>
  );
}
