import { describe, expect, it } from "vitest";
import { seededRandom } from "../core/ids.ts";
import { hasDataset, loadCrane } from "./datasets.ts";
import { detectPeriods } from "./periodicity.ts";

/** Two weeks of 10-minute samples: daily cycle, optional weekend dip, noise, trend. */
function synthetic(opts: {
  daily: number;
  weekend: number;
  noise: number;
  trend?: number;
  seed: number;
}): number[] {
  const random = seededRandom(opts.seed);
  const perDay = 144;
  return Array.from({ length: 14 * perDay }, (_, t) => {
    const day = Math.floor(t / perDay) % 7;
    const cycle = opts.daily * Math.sin((2 * Math.PI * t) / perDay);
    const weekend = day >= 5 ? -opts.weekend : 0;
    return 100 + cycle + weekend + (opts.trend ?? 0) * t + opts.noise * (random() - 0.5);
  });
}

describe("detectPeriods", () => {
  it("finds a daily cycle in noisy data", () => {
    const r = detectPeriods(synthetic({ daily: 20, weekend: 0, noise: 20, seed: 1 }));
    expect(r.period).toBe(144);
    expect(r.periods).toEqual([144]);
  });

  it("names the week when weekends differ, keeping the day as the shorter period", () => {
    const r = detectPeriods(synthetic({ daily: 20, weekend: 25, noise: 10, seed: 2 }));
    expect(r.period).toBe(1008);
    expect(r.periods).toEqual([144, 1008]);
  });

  it("says none for white noise, a trend and a step", () => {
    expect(
      detectPeriods(synthetic({ daily: 0, weekend: 0, noise: 20, seed: 3 })).period,
    ).toBeNull();
    expect(
      detectPeriods(synthetic({ daily: 0, weekend: 0, noise: 5, trend: 0.05, seed: 4 })).period,
    ).toBeNull();
    const step = Array.from({ length: 2016 }, (_, t) => (t < 600 ? 1 : 50) + Math.sin(t));
    expect(detectPeriods(step).period).toBeNull();
  });

  it("finds the exact period when the window is not a whole number of cycles", () => {
    const random = seededRandom(6);
    const x = Array.from(
      { length: 200 },
      (_, t) => 10 * Math.sin((2 * Math.PI * t) / 24) + random(),
    );
    expect(detectPeriods(x).period).toBe(24);
  });

  it("is deterministic for the same input", () => {
    const x = synthetic({ daily: 5, weekend: 0, noise: 20, seed: 5 });
    expect(detectPeriods(x)).toEqual(detectPeriods(x));
  });

  it("rejects too short or non-finite input", () => {
    expect(() => detectPeriods([1, 2, 3])).toThrow(/at least 8 finite values/);
    expect(() => detectPeriods([1, 2, 3, 4, 5, 6, 7, Number.NaN])).toThrow(/finite/);
  });
});

describe.skipIf(!hasDataset("crane-periodicity"))("detectPeriods on Crane's DSP series", () => {
  it("matches the labelled period on at least 15 of 16 and every periodic one", () => {
    const series = loadCrane();
    const results = series.map((s) => {
      const p = detectPeriods(s.values).period;
      return {
        name: s.name,
        label: s.expectedPeriodSeconds,
        detected: p === null ? null : p * s.stepSeconds,
      };
    });
    const matches = results.filter((r) => r.detected === r.label);
    expect(matches.length).toBeGreaterThanOrEqual(15);
    for (const r of results.filter((x) => x.label !== null))
      expect(r).toEqual({ ...r, detected: r.label });
  });
});
