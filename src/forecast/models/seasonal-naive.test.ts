import { describe, expect, it } from "vitest";
import { seasonalMedian } from "./seasonal-median.ts";
import { seasonalNaive, seasonalNaiveLevel } from "./seasonal-naive.ts";

describe("seasonal naive family", () => {
  it("repeats the last season", () => {
    expect(seasonalNaive([1, 2, 3, 4, 5, 6], 5, 3)).toEqual([4, 5, 6, 4, 5]);
  });

  it("re-levels the last season by the recent ratio, or difference for non-positive data", () => {
    // last 2 values (10, 12) against the same positions a season before (5, 6): ratio 2.
    expect(seasonalNaiveLevel([1, 5, 6, 2, 10, 12], 3, 3, 2)).toEqual([4, 20, 24]);
    // recent (1, 3) mean 2 against (−1, 1) mean 0: no ratio, so add the difference 2.
    expect(seasonalNaiveLevel([0, -1, 1, 0, 1, 3], 3, 3, 2)).toEqual([2, 3, 5]);
  });

  it("takes the per-phase median over the last cycles, ignoring a one-off spike", () => {
    expect(seasonalMedian([1, 10, 2, 99, 3, 11], 4, 2, 3)).toEqual([2, 11, 2, 11]);
  });

  it("refuses series shorter than what the model needs", () => {
    expect(() => seasonalNaive([1, 2], 3, 3)).toThrow(/at least one season/);
    expect(() => seasonalNaiveLevel([1, 2, 3], 3, 3, 2)).toThrow(/needs 5 values/);
    expect(() => seasonalMedian([1, 2, 3], 3, 2, 3)).toThrow(/needs 6 values/);
  });
});
