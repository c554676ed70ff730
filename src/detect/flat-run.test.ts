import { describe, expect, it } from "vitest";
import { flatRunUpdate, newFlatRunState } from "./flat-run.ts";

/** Indices at which the channel fires over a series. */
function fires(values: number[], minRun = 5): number[] {
  const s = newFlatRunState();
  return values.flatMap((v, i) => (flatRunUpdate(s, v, { minRun }) ? [i] : []));
}

describe("flat-run channel", () => {
  it("fires once, where a run of equal values outlasts every earlier run", () => {
    const noise = [1, 2, 3, 2, 1, 3];
    const series = [...noise, ...Array(6).fill(0), ...noise, ...Array(9).fill(0), ...noise];
    // Runs of 6 then 9 zeros: the first sets the record at its 5th point (minRun 5, earlier runs 1),
    // the second breaks it at its 7th.
    expect(fires(series)).toEqual([6 + 4, 6 + 6 + 6 + 6]);
  });

  it("does not fire on a run no longer than the record, nor below minRun", () => {
    const series = [1, 2, ...Array(8).fill(0), 1, 2, ...Array(8).fill(0), 3, 4, 5];
    expect(fires(series)).toEqual([2 + 4]);
    expect(fires([1, 2, 0, 0, 0, 1, 2], 5)).toEqual([]);
  });

  it("never flags a series that was constant from the start", () => {
    expect(fires(Array(100).fill(7))).toEqual([]);
    // …but its run is the record a later run must beat.
    expect(fires([...Array(50).fill(7), 1, ...Array(40).fill(7), 2, ...Array(51).fill(7)])).toEqual(
      [50 + 1 + 40 + 1 + 50],
    );
  });
});
