import { describe, expect, it } from "vitest";
import { hasDataset, loadM4Hourly } from "../datasets.ts";
import { isSeasonal } from "../decompose.ts";
import { mase, smape } from "../metrics.ts";
import { naive2, thetaM4 } from "./theta.ts";

describe("M4 Theta and Naive2", () => {
  it("extrapolates a straight line with Theta's halved drift", () => {
    const line = Array.from({ length: 30 }, (_, t) => 10 + 2 * t);
    const f = thetaM4(line, 3, 1);
    // θ=2 line equals the data, SES tracks its end (≈68); the θ=0 line continues 70, 72, 74.
    expect(f[0]).toBeGreaterThan(68);
    expect(f[2] as number).toBeGreaterThan(f[0] as number);
  });

  it("leaves non-seasonal series unadjusted", () => {
    const flat = Array.from({ length: 100 }, (_, t) => 5 + (t % 2) * 0.001);
    expect(isSeasonal(flat, 24)).toBe(false);
    expect(naive2(flat, 2, 24)).toEqual([flat[99], flat[99]]);
  });
});

describe.skipIf(!hasDataset("m4-hourly"))("M4 Hourly reproduction", () => {
  it("reproduces Naive2 (18.383 / 2.395) and Theta (18.138 / 2.455)", () => {
    const series = loadM4Hourly();
    const score = (fn: (y: number[]) => number[]) => {
      let s = 0;
      let m = 0;
      for (const x of series) {
        const f = fn(x.train);
        s += smape(x.test, f);
        m += mase(x.train, x.test, f, 24);
      }
      return [(s / series.length).toFixed(3), (m / series.length).toFixed(3)];
    };
    expect(series.filter((x) => isSeasonal(x.train, 24))).toHaveLength(413);
    expect(score((y) => naive2(y, 48, 24))).toEqual(["18.383", "2.395"]);
    expect(score((y) => thetaM4(y, 48, 24))).toEqual(["18.138", "2.455"]);
  });
});
