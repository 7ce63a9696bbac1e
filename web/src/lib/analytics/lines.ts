// The "time to claim and first response over time" chart's arithmetic: its series (one per
// figure and percentile, with a gap where a day measured nothing), a round duration axis, and
// the lines' SVG paths.
import type { AnalyticsDay } from "#schema/analytics";

export type Figure = "claim" | "response";
export type Percentile = "p50" | "p90";

/** One line of the chart: a figure at a percentile, one value (seconds or null) per day. */
export interface Series {
  key: `${Figure}-${Percentile}`;
  figure: Figure;
  percentile: Percentile;
  label: string;
  values: (number | null)[];
}

const FIGURES: Record<Figure, { label: string; field: keyof AnalyticsDay }> = {
  claim: { label: "Time to claim", field: "time_to_claim_seconds" },
  response: { label: "First response", field: "first_response_seconds" },
};

/** The four lines, in the legend's and the table's order: claim p50, p90; response p50, p90. */
export function percentileSeries(days: AnalyticsDay[]): Series[] {
  return (["claim", "response"] as const).flatMap((figure) =>
    (["p50", "p90"] as const).map((percentile) => ({
      key: `${figure}-${percentile}` as const,
      figure,
      percentile,
      label: `${FIGURES[figure].label} ${percentile}`,
      values: days.map((d) =>
        figure === "claim"
          ? d.time_to_claim_seconds[percentile]
          : d.first_response_seconds[percentile],
      ),
    })),
  );
}

// Round steps for a duration axis, in seconds: 1 s to 12 h, then whole days.
const STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];

/**
 * A duration axis from 0: a round step (a whole number of seconds, minutes, hours or days) and
 * its ticks, at most `tickCount` steps up to a top at or above `max` (at least one step).
 */
export function durationAxis(max: number, tickCount = 4): { top: number; ticks: number[] } {
  const rough = Math.max(1, max) / tickCount;
  const step = STEPS.find((s) => s >= rough) ?? Math.ceil(rough / 86400) * 86400;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

/** The largest value of any series, 0 with none. */
export function seriesMax(series: Series[]): number {
  return Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null)));
}

export interface Point {
  x: number;
  y: number;
}

/**
 * An SVG path through the points, broken where a point is missing (a day with nothing measured):
 * "M x y L x y …" for each run of consecutive points. A lone point makes no line (its marker
 * shows it).
 */
export function linePath(points: (Point | null)[]): string {
  const parts: string[] = [];
  let run: Point[] = [];
  const flush = () => {
    if (run.length > 1)
      parts.push(run.map((p, i) => `${i === 0 ? "M" : "L"}${round(p.x)},${round(p.y)}`).join(""));
    run = [];
  };
  for (const point of points) {
    if (point) run.push(point);
    else flush();
  }
  flush();
  return parts.join("");
}

const round = (n: number) => Math.round(n * 10) / 10;
