import { describe, expect, it } from "vitest";
import { hasDataset, loadM4Hourly } from "./datasets.ts";
import { forecast } from "./forecast.ts";
import { mase, smape } from "./metrics.ts";
import { seasonalNaive } from "./models/seasonal-naive.ts";
import { thetaM4 } from "./models/theta.ts";

// A cheap guard on every 10th M4 Hourly series; the full table is `npm run bench:m4`.
describe.skipIf(!hasDataset("m4-hourly"))("default forecaster on an M4 Hourly sample", () => {
  it("beats seasonal naive and Theta on both sMAPE and MASE", () => {
    const sample = loadM4Hourly().filter((_, i) => i % 10 === 0);
    const score = (fn: (y: number[]) => number[]) => {
      let s = 0;
      let m = 0;
      for (const x of sample) {
        const f = fn(x.train);
        s += smape(x.test, f);
        m += mase(x.train, x.test, f, 24);
      }
      return { smape: s / sample.length, mase: m / sample.length };
    };
    const ours = score((y) => forecast(y, { horizon: 48, period: 24 }).mean);
    for (const other of [
      score((y) => seasonalNaive(y, 48, 24)),
      score((y) => thetaM4(y, 48, 24)),
    ]) {
      expect(ours.smape).toBeLessThan(other.smape);
      expect(ours.mase).toBeLessThan(other.mase);
    }
  });
});
