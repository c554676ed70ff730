import { mstlForecast } from "./models/mstl.ts";
import { seasonalMedian } from "./models/seasonal-median.ts";
import { seasonalNaive, seasonalNaiveLevel } from "./models/seasonal-naive.ts";
import { thetaM4 } from "./models/theta.ts";

/** A point forecaster that the backtest can refit at any origin. */
export interface Candidate {
  name: string;
  /** Fewest observations the candidate needs before it can forecast. */
  minLength: number;
  predict: (series: readonly number[], horizon: number) => number[];
}

/**
 * The model pool for a series with seasonal periods `periods` (shortest first). Kept small:
 * each candidate is refitted at every backtest origin.
 */
export function candidatePool(periods: readonly number[]): Candidate[] {
  const sorted = [...periods].sort((a, b) => a - b);
  const daily = sorted[0];
  const pool: Candidate[] = [];
  for (const p of sorted) {
    pool.push({ name: `snaive-${p}`, minLength: p, predict: (y, h) => seasonalNaive(y, h, p) });
  }
  if (daily === undefined) {
    pool.push({
      name: "ets-damped",
      minLength: 4,
      predict: (y, h) =>
        mstlForecast(y, h, { periods: [], log: false, cycles: [], trend: "damped" }),
    });
    pool.push({ name: "theta", minLength: 4, predict: (y, h) => thetaM4(y, h, 1) });
    return pool;
  }
  const mstl = (log: boolean, trend: "damped" | "none", cycles: number[], ps = sorted) => ({
    name: `mstl-${log ? "log" : "add"}-${trend}-${ps.join("+")}-c${cycles.join("+")}`,
    minLength: 2 * (ps[ps.length - 1] ?? 1),
    predict: (y: readonly number[], h: number) =>
      mstlForecast(y, h, { periods: [...ps], log, cycles, trend }),
  });
  // Chosen on a validation split of M4 Hourly (the last 48 training hours), never its test part.
  pool.push(
    mstl(true, "none", [1, 2]),
    mstl(true, "none", [3, 3]),
    mstl(true, "damped", [2], [daily]),
  );
  pool.push(
    mstl(true, "none", [1], [daily]),
    mstl(true, "none", [3], [daily]),
    mstl(false, "none", [2], [daily]),
  );
  for (const w of [6, 24]) {
    pool.push({
      name: `snaive-${daily}-level${w}`,
      minLength: daily + w,
      predict: (y, h) => seasonalNaiveLevel(y, h, daily, w),
    });
  }
  for (const p of sorted) {
    pool.push({
      name: `smedian-${p}x3`,
      minLength: 3 * p,
      predict: (y, h) => seasonalMedian(y, h, p, 3),
    });
  }
  return pool;
}
