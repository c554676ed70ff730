import { describe, expect, it } from "vitest";
import { newSeasonalState, SEASONAL_DEFAULTS, seasonalUpdate } from "./seasonal-baseline.ts";

const STEP = 3_600_000; // hourly: a day is 24 samples
const daily = (i: number) => 100 + 50 * Math.sin((2 * Math.PI * i) / 24);

describe("seasonal baseline", () => {
  it("finds the daily period and forecasts the same hour of recent days", () => {
    const s = newSeasonalState();
    for (let i = 0; i < 24 * 20; i++) seasonalUpdate(s, i * STEP, daily(i));
    expect(s.period).toBe(24);
    const i = 24 * 20;
    expect(seasonalUpdate(s, i * STEP, daily(i))).toBeCloseTo(0, 6);
  });

  it("takes the median of the last three periods: one odd day is not the forecast", () => {
    const s = newSeasonalState();
    const n = 24 * 20;
    // Yesterday (the last 24 samples before n) was a holiday at half the level.
    for (let i = 0; i < n; i++) seasonalUpdate(s, i * STEP, i >= n - 24 ? daily(i) / 2 : daily(i));
    expect(seasonalUpdate(s, n * STEP, daily(n))).toBeCloseTo(0, 6);
    // With one period the forecast is yesterday's holiday value.
    const one = newSeasonalState();
    const o = { ...SEASONAL_DEFAULTS, periods: 1 };
    for (let i = 0; i < n; i++)
      seasonalUpdate(one, i * STEP, i >= n - 24 ? daily(i) / 2 : daily(i), o);
    expect(seasonalUpdate(one, n * STEP, daily(n), o)).toBeCloseTo(daily(n) / 2, 6);
  });
});
