import { describe, expect, it } from "vitest";
import { MAX_ANALYTICS_DAYS } from "#schema/analytics";
import {
  apiSearch,
  MAX_RANGE_DAYS,
  rangeProblem,
  rangeSearch,
  readRange,
  resolveRange,
} from "./range";

// 2026-03-01 23:30 UTC: already 2 March in Madrid (UTC+1), still 1 March in New York.
const NOW = Date.parse("2026-03-01T23:30:00Z");

describe("the dashboard's range", () => {
  it("defaults to the last 7 days in the given zone", () => {
    expect(readRange(new URLSearchParams(""), NOW, "Europe/Madrid")).toEqual({
      preset: "7d",
      from: "2026-02-24",
      to: "2026-03-02",
      tz: "Europe/Madrid",
    });
  });

  it("reads today in the URL's zone, across a day boundary", () => {
    const ny = readRange(new URLSearchParams("range=today&tz=America/New_York"), NOW, "UTC");
    expect(resolveRange(ny, NOW)).toEqual({
      from: "2026-03-01",
      to: "2026-03-01",
      tz: "America/New_York",
    });
    const madrid = readRange(new URLSearchParams("range=today&tz=Europe/Madrid"), NOW, "UTC");
    expect(resolveRange(madrid, NOW).to).toBe("2026-03-02");
  });

  it("30 days covers 30 calendar days including today (across February)", () => {
    const state = readRange(new URLSearchParams("range=30d&tz=UTC"), NOW, "UTC");
    expect(resolveRange(state, NOW)).toEqual({ from: "2026-01-31", to: "2026-03-01", tz: "UTC" });
  });

  it("keeps a custom range's dates, and falls back to 7 days without them", () => {
    const q = new URLSearchParams("range=custom&from=2026-01-05&to=2026-01-09&tz=Asia/Tokyo");
    expect(readRange(q, NOW, "UTC")).toEqual({
      preset: "custom",
      from: "2026-01-05",
      to: "2026-01-09",
      tz: "Asia/Tokyo",
    });
    const broken = readRange(new URLSearchParams("range=custom&from=2026-02-30"), NOW, "UTC");
    expect(broken).toEqual({ preset: "custom", from: "2026-02-23", to: "2026-03-01", tz: "UTC" });
  });

  it("ignores an unknown preset and a zone Intl does not know", () => {
    expect(readRange(new URLSearchParams("range=year&tz=Mars/Base"), NOW, "UTC")).toMatchObject({
      preset: "7d",
      tz: "UTC",
    });
  });

  it("writes the page's query and the API's query", () => {
    const custom = { preset: "custom" as const, from: "2026-01-05", to: "2026-01-09", tz: "UTC" };
    expect(rangeSearch(custom)).toBe("?range=custom&from=2026-01-05&to=2026-01-09&tz=UTC");
    expect(rangeSearch({ ...custom, preset: "30d" })).toBe("?range=30d&tz=UTC");
    expect(apiSearch({ from: "2026-01-05", to: "2026-01-09", tz: "Europe/Madrid" })).toBe(
      "?from=2026-01-05&to=2026-01-09&tz=Europe%2FMadrid",
    );
    // Round trip: what the page writes, it reads back.
    const back = readRange(new URLSearchParams(rangeSearch(custom)), NOW, "Europe/Madrid");
    expect(back).toEqual(custom);
  });

  it("allows the API's longest range", () => {
    expect(MAX_RANGE_DAYS).toBe(MAX_ANALYTICS_DAYS);
  });

  it("names what is wrong with a custom range", () => {
    const ok = { from: "2026-01-01", to: "2026-01-01", tz: "UTC" };
    expect(rangeProblem(ok)).toBeNull();
    expect(rangeProblem({ ...ok, from: "" })).toBe("Choose both dates.");
    expect(rangeProblem({ ...ok, from: "2026-01-02" })).toBe(
      "The end date is before the start date.",
    );
    expect(rangeProblem({ ...ok, to: "2027-01-01" })).toBeNull();
    expect(rangeProblem({ ...ok, to: "2027-01-02" })).toBe("A range can cover at most 366 days.");
    expect(rangeProblem({ ...ok, tz: "Nowhere/Else" })).toMatch(/time zone/);
  });
});
