import { describe, expect, it } from "vitest";
import { seededRandom } from "../core/ids.ts";
import { forecast } from "./forecast.ts";
import { mase } from "./metrics.ts";
import { seasonalNaive } from "./models/seasonal-naive.ts";

/** Hourly series with daily and weekday/weekend cycles, noise and a gentle trend. */
function hourly(hours: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: hours }, (_, t) => {
    const weekend = Math.floor(t / 24) % 7 >= 5 ? 0.7 : 1;
    return (
      (200 + 0.05 * t) * weekend * (1 + 0.4 * Math.sin((2 * Math.PI * t) / 24)) +
      8 * (random() - 0.5)
    );
  });
}

describe("forecast", () => {
  it("returns mean and ordered interval bounds of the horizon's length", () => {
    const r = forecast(hourly(24 * 35, 1), { horizon: 48, period: 24 });
    expect(r.mean).toHaveLength(48);
    for (let h = 0; h < 48; h++) {
      expect(r.lower[h]).toBeLessThan(r.mean[h] as number);
      expect(r.upper[h]).toBeGreaterThan(r.mean[h] as number);
    }
    expect(r.periods).toEqual([24, 168]);
    expect(r.model).not.toBe("");
  });

  it("is deterministic", () => {
    const y = hourly(24 * 30, 2);
    expect(forecast(y, { horizon: 24 })).toEqual(forecast(y, { horizon: 24 }));
  });

  it("detects the daily period itself and beats seasonal naive on a weekly pattern", () => {
    const all = hourly(24 * 42 + 48, 3);
    const train = all.slice(0, -48);
    const test = all.slice(-48);
    const r = forecast(train, { horizon: 48 });
    expect(r.periods).toContain(24);
    expect(mase(train, test, r.mean, 24)).toBeLessThan(
      mase(train, test, seasonalNaive(train, 48, 24), 24),
    );
  });

  it("widens intervals with a higher level", () => {
    const y = hourly(24 * 30, 4);
    const r80 = forecast(y, { horizon: 12, period: 24, level: 80 });
    const r99 = forecast(y, { horizon: 12, period: 24, level: 99 });
    expect((r99.upper[5] as number) - (r99.lower[5] as number)).toBeGreaterThan(
      (r80.upper[5] as number) - (r80.lower[5] as number),
    );
  });

  it("forecasts short aperiodic series with a non-seasonal model", () => {
    const random = seededRandom(5);
    const y = Array.from({ length: 60 }, (_, t) => 10 + 0.5 * t + random());
    const r = forecast(y, { horizon: 5 });
    expect(r.periods).toEqual([]);
    expect(r.mean[4] as number).toBeGreaterThan(35);
  });

  it("rejects bad input with clear errors", () => {
    expect(() => forecast([1, 2], { horizon: 1 })).toThrow(/at least 3 observations/);
    expect(() => forecast([1, 2, 3, Number.NaN], { horizon: 1 })).toThrow(
      /value 3 is not a finite number/,
    );
    expect(() => forecast([1, 2, 3, 4], { horizon: 0 })).toThrow(
      /horizon must be a positive integer/,
    );
    expect(() => forecast([1, 2, 3, 4], { horizon: 1, level: 100 })).toThrow(/level must be in/);
    expect(() => forecast([1, 2, 3, 4], { horizon: 1, period: 2.5 })).toThrow(
      /period must be a positive integer/,
    );
    expect(() => forecast([1, 2, 3, 4, 5], { horizon: 10, period: 4 })).toThrow(
      /too short to backtest/,
    );
  });
});
