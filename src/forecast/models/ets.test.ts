import { describe, expect, it } from "vitest";
import { goldenSection, nelderMead } from "../optim.ts";
import { fitDampedHolt, fitSes } from "./ets.ts";

describe("exponential smoothing fits", () => {
  it("minimises smooth functions (Nelder–Mead on Rosenbrock, golden section on a parabola)", () => {
    const rosen = (p: number[]) =>
      (1 - (p[0] as number)) ** 2 + 100 * ((p[1] as number) - (p[0] as number) ** 2) ** 2;
    const r = nelderMead(rosen, [-1.2, 1], { maxIter: 2000, tol: 1e-14 });
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
    expect(goldenSection((x) => (x - 0.3) ** 2, 0, 1)).toBeCloseTo(0.3, 5);
  });

  it("fits SES with its closed-form initial level: a constant series has zero error", () => {
    const fit = fitSes(new Array<number>(20).fill(7));
    expect(fit.level).toBeCloseTo(7, 9);
    expect(fit.sse).toBeCloseTo(0, 9);
  });

  it("follows a step with SES and a trend with damped Holt", () => {
    const step = [...new Array<number>(20).fill(1), ...new Array<number>(20).fill(5)];
    expect(fitSes(step).level).toBeCloseTo(5, 2);
    const line = Array.from({ length: 50 }, (_, t) => 3 + 2 * t);
    const f = fitDampedHolt(line).forecast(3);
    expect(f[0]).toBeGreaterThan(100);
    expect(f[2] as number).toBeGreaterThan(f[0] as number);
  });
});
