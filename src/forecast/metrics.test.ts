import { describe, expect, it } from "vitest";
import { hasDataset, loadM4Hourly } from "./datasets.ts";
import { coverage, mase, msis, owa, seasonalNaiveScale, smape } from "./metrics.ts";
import { seasonalNaive } from "./models/seasonal-naive.ts";

describe("M4 metrics", () => {
  it("computes sMAPE in percent on a hand example", () => {
    // 200/2 · (10/210 + 20/380)
    expect(smape([100, 200], [110, 180])).toBeCloseTo(100 * (10 / 210 + 20 / 380), 12);
    expect(smape([5, 5], [5, 5])).toBe(0);
    expect(smape([1], [0])).toBe(200);
  });

  it("scales MASE by the in-sample seasonal-naive MAE at lag m", () => {
    expect(seasonalNaiveScale([1, 3, 2, 6], 2)).toBe(2);
    expect(mase([1, 3, 2, 6], [5, 6], [4, 8], 2)).toBe(0.75);
    expect(mase([1, 2, 3, 4], [5, 6], [4, 8], 1)).toBe(1.5);
  });

  it("computes OWA against Naive2, which scores exactly 1", () => {
    expect(owa(18.383, 2.395)).toBe(1);
    expect(owa(13.912, 1.193)).toBeCloseTo(0.627, 3);
  });

  it("scores intervals by width plus 2/alpha per miss (MSIS) and counts coverage", () => {
    // scale 2; widths 2 and 2; the second actual is 1 above the upper bound: 2/0.05·1 = 40.
    expect(msis([1, 3, 2, 6], [5, 9], [4, 6], [6, 8], 2)).toBe((2 + 2 + 40) / 2 / 2);
    expect(coverage([5, 9], [4, 6], [6, 8])).toBe(0.5);
  });

  it("rejects mismatched lengths and too-short in-sample data", () => {
    expect(() => smape([1, 2], [1])).toThrow(/equal length/);
    expect(() => mase([1, 2], [1], [1], 24)).toThrow(/more than m=24/);
  });
});

describe.skipIf(!hasDataset("m4-hourly"))("seasonal naive on M4 Hourly", () => {
  it("reproduces the official sNaive scores 13.912 / 1.193", () => {
    const series = loadM4Hourly();
    expect(series).toHaveLength(414);
    let s = 0;
    let m = 0;
    for (const x of series) {
      const f = seasonalNaive(x.train, 48, 24);
      s += smape(x.test, f);
      m += mase(x.train, x.test, f, 24);
    }
    expect((s / series.length).toFixed(3)).toBe("13.912");
    expect((m / series.length).toFixed(3)).toBe("1.193");
    expect(s / series.length).toBeCloseTo(13.912273, 5);
  });
});
