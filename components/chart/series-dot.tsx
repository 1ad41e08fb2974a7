import type { DotItemDotProps } from "recharts";
import { isolatedPoints, type SeriesPoint } from "./chart-theme";

/**
 * A line's dots: on every measured point when `everyPoint`, otherwise only on the points
 * with no measured neighbour, which a line alone would not draw.
 */
export function seriesDot(
  points: readonly SeriesPoint[],
  { everyPoint, radius, color }: { everyPoint: boolean; radius: number; color: string },
) {
  const isolated = isolatedPoints(points);
  function SeriesDot({ cx, cy, index }: DotItemDotProps) {
    if (cx == null || cy == null || points[index]?.value == null) return null;
    if (!everyPoint && !isolated[index]) return null;
    return <circle key={index} cx={cx} cy={cy} r={radius} fill={color} stroke={color} />;
  }
  return SeriesDot;
}
