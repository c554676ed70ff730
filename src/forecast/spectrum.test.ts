import { describe, expect, it } from "vitest";
import { circularAutocorrelation, periodogram } from "./spectrum.ts";

describe("spectrum", () => {
  it("matches a direct circular autocorrelation on an odd-length series", () => {
    const x = [1, 3, 2, 5, 4, 1, 0, 2, 7];
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const d = x.map((v) => v - mean);
    const c0 = d.reduce((a, v) => a + v * v, 0);
    const direct = d.map(
      (_, k) => d.reduce((a, v, t) => a + v * (d[(t + k) % d.length] as number), 0) / c0,
    );
    const fast = circularAutocorrelation(x);
    for (const [k, v] of direct.entries()) expect(fast[k]).toBeCloseTo(v, 10);
  });

  it("puts all the power of a pure sinusoid at its Fourier frequency", () => {
    const x = Array.from({ length: 64 }, (_, t) => Math.sin((2 * Math.PI * 8 * t) / 64));
    const p = periodogram(x);
    expect(p).toHaveLength(33);
    expect(p[8]).toBeCloseTo((64 / 2) ** 2, 6);
    for (let k = 1; k < p.length; k++) if (k !== 8) expect(p[k]).toBeLessThan(1e-9);
  });
});
