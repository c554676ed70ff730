import { describe, expect, it } from "vitest";
import { seededRandom } from "../core/ids.ts";
import {
  newRangeState,
  RANGE_DEFAULTS,
  rangeFromJson,
  rangeToJson,
  rangeUpdate,
} from "./range-novelty.ts";

describe("range novelty", () => {
  it("gives 0 inside the range seen and a gap for a value above everything seen", () => {
    const s = newRangeState();
    const random = seededRandom(3);
    const inside: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const g = rangeUpdate(s, 50 + 10 * (random() - 0.5));
      if (i > 1500) inside.push(g);
    }
    // At most a stray half-bucket at the very edge of the range (buckets are about 0.2 wide).
    expect(Math.max(...inside)).toBeLessThan(0.2);
    expect(inside.filter((g) => g > 0).length).toBeLessThan(3);
    const gap = rangeUpdate(s, 60);
    // The warm-up spread is about 10, so buckets are about 0.2 wide; 60 is about 5 above the top.
    expect(gap).toBeGreaterThan(3);
    expect(gap).toBeLessThan(6);
    // Seen once, it is no longer new.
    expect(rangeUpdate(s, 60)).toBe(0);
  });

  it("finds a value in a band the series always jumped across", () => {
    const s = newRangeState();
    // A baseline near 0 with a spike to 10 every 50 points: 5 has never been visited.
    for (let i = 0; i < 2000; i++) rangeUpdate(s, i % 50 === 0 ? 10 : (i % 7) / 100);
    expect(rangeUpdate(s, 5)).toBeGreaterThan(3);
    expect(rangeUpdate(s, 10)).toBe(0);
  });

  it("keeps bounded state for a series that keeps reaching new values, and survives JSON", () => {
    const s = newRangeState();
    for (let i = 0; i < 50_000; i++) rangeUpdate(s, i);
    expect(s.seen.size).toBeLessThanOrEqual(RANGE_DEFAULTS.maxBuckets);
    const copy = rangeFromJson(JSON.parse(JSON.stringify(rangeToJson(s))));
    expect(rangeUpdate(copy, 50_000)).toBe(rangeUpdate(s, 50_000));
  });
});
