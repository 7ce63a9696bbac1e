import { describe, expect, it } from "vitest";
import type { AnalyticsDay } from "#schema/analytics";
import { durationAxis, linePath, percentileSeries, seriesMax } from "./lines";

const day = (
  date: string,
  claim: [number | null, number | null],
  response: [number | null, number | null],
): AnalyticsDay => ({
  date,
  handoffs: 1,
  claimed: 1,
  expired: 0,
  resolved: 0,
  time_to_claim_seconds: { p50: claim[0], p90: claim[1] },
  first_response_seconds: { p50: response[0], p90: response[1] },
});

describe("the percentiles-over-time chart", () => {
  it("makes four series, one value per day, null where nothing was measured", () => {
    const series = percentileSeries([
      day("2026-01-01", [30, 600], [null, null]),
      day("2026-01-02", [45, 90], [120, 300]),
    ]);
    expect(series.map((s) => [s.key, s.label, s.values])).toEqual([
      ["claim-p50", "Time to claim p50", [30, 45]],
      ["claim-p90", "Time to claim p90", [600, 90]],
      ["response-p50", "First response p50", [null, 120]],
      ["response-p90", "First response p90", [null, 300]],
    ]);
    expect(seriesMax(series)).toBe(600);
    expect(seriesMax(percentileSeries([day("2026-01-01", [null, null], [null, null])]))).toBe(0);
  });

  it("picks a round duration step: seconds, minutes, hours or days", () => {
    expect(durationAxis(0)).toEqual({ top: 1, ticks: [0, 1] });
    expect(durationAxis(37)).toEqual({ top: 40, ticks: [0, 10, 20, 30, 40] });
    expect(durationAxis(600)).toEqual({ top: 600, ticks: [0, 300, 600] });
    expect(durationAxis(1000)).toEqual({ top: 1200, ticks: [0, 300, 600, 900, 1200] });
    expect(durationAxis(4 * 3600 + 1)).toEqual({
      top: 6 * 3600,
      ticks: [0, 2, 4, 6].map((h) => h * 3600),
    });
    expect(durationAxis(10 * 86400).ticks).toEqual([0, 3, 6, 9, 12].map((d) => d * 86400));
  });

  it("draws a path broken where a day has no value", () => {
    const p = (x: number, y: number) => ({ x, y });
    expect(linePath([p(0, 10), p(10, 20.04), null, p(30, 5), p(40, 6), null, p(60, 1)])).toBe(
      "M0,10L10,20M30,5L40,6",
    );
    expect(linePath([null, p(5, 5)])).toBe("");
  });
});
