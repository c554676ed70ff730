import { describe, expect, it } from "vitest";
import { seededRandom } from "../core/ids.ts";
import { KNN_DEFAULTS, knnFromJson, knnToJson, knnUpdate, newKnnState } from "./knn-novelty.ts";

function sine(i: number): number {
  return Math.sin((2 * Math.PI * i) / 48);
}

describe("KNN pattern novelty", () => {
  it("scores a familiar repeating shape near 1 and a never-seen shape far above it", () => {
    const s = newKnnState();
    const random = seededRandom(7);
    const ordinary: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = knnUpdate(s, sine(i) + 0.05 * (random() - 0.5));
      if (i > 1000) ordinary.push(r);
    }
    const mean = ordinary.reduce((a, b) => a + b, 0) / ordinary.length;
    expect(mean).toBeGreaterThan(0.5);
    expect(mean).toBeLessThan(2);
    // A square pulse at the sine's peak: every single value is within the usual range.
    const novel = [1, -1, 1, -1].map((v) => knnUpdate(s, v));
    expect(Math.max(...novel)).toBeGreaterThan(10 * mean);
  });

  it("keeps bounded state however long the stream", () => {
    const s = newKnnState();
    for (let i = 0; i < 20_000; i++) knnUpdate(s, sine(i));
    expect(s.bank.length).toBe(KNN_DEFAULTS.capacity * KNN_DEFAULTS.dims);
    expect(s.recent.length).toBe(KNN_DEFAULTS.dims);
    expect(knnFromJson(JSON.parse(JSON.stringify(knnToJson(s))))).toEqual(s);
  });

  it("gives 0 while the bank of past patterns is still filling", () => {
    const s = newKnnState();
    const first = Array.from({ length: 20 }, (_, i) => knnUpdate(s, i % 3));
    expect(first.every((r) => r === 0)).toBe(true);
  });
});
