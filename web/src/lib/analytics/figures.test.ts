import { describe, expect, it } from "vitest";
import type { Analytics } from "#schema/analytics";
import {
  countAxis,
  dayBars,
  dayLabel,
  durationOrNone,
  labelEvery,
  percentOrNone,
  ratingOrNone,
  summaryFigures,
} from "./figures";

describe("the dashboard's figures", () => {
  it("formats durations, with a dash for nothing measured", () => {
    expect(durationOrNone(null)).toBe("—");
    expect(durationOrNone(0)).toBe("0 s");
    expect(durationOrNone(125)).toBe("2 min 5 s");
    expect(durationOrNone(4200)).toBe("1 h 10 min");
  });

  it("formats rates as percentages", () => {
    expect(percentOrNone(null)).toBe("—");
    expect(percentOrNone(0)).toBe("0%");
    expect(percentOrNone(0.125)).toBe("12.5%");
    expect(percentOrNone(1 / 3)).toBe("33.3%");
    expect(percentOrNone(1)).toBe("100%");
  });

  it("lists the summary in order", () => {
    const data: Analytics = {
      from: "2026-01-01",
      to: "2026-01-07",
      tz: "UTC",
      summary: {
        handoffs: 8,
        claimed: 6,
        resolved: 5,
        expired: 2,
        expiry_rate: 0.25,
        time_to_claim_seconds: { p50: 30, p90: 600 },
        first_response_seconds: { p50: null, p90: null },
        resolution_seconds: { p50: 3600, p90: 7260 },
        rating: { count: 4, average: 0.75 },
      },
      by_day: [],
      by_agent: [],
      by_channel: [],
    };
    expect(summaryFigures(data).map((f) => `${f.label}: ${f.value}`)).toEqual([
      "Handoffs: 8",
      "Claimed: 6",
      "Resolved: 5",
      "Expired: 2",
      "Expiry rate: 25%",
      "Time to claim p50: 30 s",
      "Time to claim p90: 10 min",
      "First response p50: —",
      "First response p90: —",
      "Resolution p50: 1 h",
      "Resolution p90: 2 h 1 min",
      "Rated helpful: 75% of 4",
    ]);
  });

  it("formats visitors' ratings as the share rated helpful, of how many", () => {
    expect(ratingOrNone({ count: 0, average: null })).toBe("—");
    expect(ratingOrNone({ count: 3, average: 2 / 3 })).toBe("66.7% of 3");
    expect(ratingOrNone({ count: 1, average: 0 })).toBe("0% of 1");
  });

  it("spaces the day labels about 56 px apart", () => {
    expect(labelEvery(7, 700)).toBe(1);
    expect(labelEvery(30, 560)).toBe(3);
    expect(labelEvery(366, 0)).toBe(366);
  });

  it("picks a round axis top with even ticks", () => {
    expect(countAxis(0)).toEqual({ top: 1, ticks: [0, 1] });
    expect(countAxis(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
    expect(countAxis(7)).toEqual({ top: 8, ticks: [0, 2, 4, 6, 8] });
    expect(countAxis(37)).toEqual({ top: 40, ticks: [0, 10, 20, 30, 40] });
    expect(countAxis(180)).toEqual({ top: 200, ticks: [0, 50, 100, 150, 200] });
  });

  it("stacks expired under the other handoffs of the day", () => {
    const none = { p50: null, p90: null };
    const day = {
      ...{ date: "2026-01-01", claimed: 3, resolved: 2 },
      ...{ time_to_claim_seconds: none, first_response_seconds: none },
    };
    expect(dayBars([{ ...day, handoffs: 5, expired: 2 }])).toEqual([
      { date: "2026-01-01", expired: 2, other: 3, total: 5 },
    ]);
    expect(dayLabel("2026-12-03")).toBe("3 Dec");
  });
});
