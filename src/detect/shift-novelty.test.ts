import { describe, expect, it } from "vitest";
import { seededRandom } from "../core/ids.ts";
import { newShiftState, SHIFT_DEFAULTS, shiftUpdate } from "./shift-novelty.ts";

const o = { ...SHIFT_DEFAULTS, every: 1 };
// Noise: sum of three uniforms less 1.5 (σ = 0.5).

/** Feeds `n` values and returns the mean divergence over the last `tail` of them. */
function feed(s: ReturnType<typeof newShiftState>, n: number, gen: () => number, tail = 1): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = shiftUpdate(s, gen(), o);
    if (i >= n - tail) sum += d;
  }
  return sum / tail;
}

describe("shift novelty", () => {
  it("rises for a sustained level shift of about 2σ made of ordinary values", () => {
    const s = newShiftState();
    const random = seededRandom(7);
    const noise = () => random() + random() + random() - 1.5;
    const quiet = feed(s, 3000, noise, 1000);
    // No value of the shifted window is out of range (noise spans ±1.5); their mix is new.
    const shifted = feed(s, 48, () => 1 + noise());
    expect(shifted).toBeGreaterThan(2 * quiet);
  });

  it("sees a change of variance with an unchanged mean", () => {
    const s = newShiftState();
    const random = seededRandom(11);
    const quiet = feed(s, 3000, () => random() - 0.5, 1000);
    const wide = feed(s, 48, () => (random() < 0.5 ? -0.45 : 0.45) + (random() - 0.5) / 20);
    expect(wide).toBeGreaterThan(2 * quiet);
  });

  it("returns −1 between computations and survives JSON", () => {
    const s = newShiftState();
    for (let i = 0; i < 500; i++) shiftUpdate(s, i % 10, { ...SHIFT_DEFAULTS, every: 4 });
    const copy = JSON.parse(JSON.stringify(s));
    const a = [1, 2, 3, 4].map((v) => shiftUpdate(s, v, { ...SHIFT_DEFAULTS, every: 4 }));
    const b = [1, 2, 3, 4].map((v) => shiftUpdate(copy, v, { ...SHIFT_DEFAULTS, every: 4 }));
    expect(a).toEqual(b);
    expect(a.filter((d) => d === -1).length).toBe(3);
  });
});
