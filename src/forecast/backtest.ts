import type { Candidate } from "./candidates.ts";

export interface BacktestScore {
  candidate: Candidate;
  /** Mean absolute error over all origins and steps, divided by the series' naive scale. */
  scaledError: number;
  /** errors[origin][step] = actual − forecast. */
  errors: number[][];
}

/**
 * Rolling-origin evaluation on the series' own history: origins at n−h, n−2h, … so no
 * candidate ever sees the values it is scored on, and the real future is never touched.
 */
export function backtest(
  series: readonly number[],
  horizon: number,
  candidates: readonly Candidate[],
  origins: number,
  scaleLag: number,
): BacktestScore[] {
  const scale = naiveScale(series, scaleLag);
  const scores: BacktestScore[] = [];
  for (const c of candidates) {
    const errors: number[][] = [];
    let sum = 0;
    let count = 0;
    for (let k = 1; k <= origins; k++) {
      const origin = series.length - k * horizon;
      if (origin < c.minLength) break;
      const f = c.predict(series.slice(0, origin), horizon);
      const e = f.map((v, i) => (series[origin + i] as number) - v);
      errors.push(e);
      for (const x of e) sum += Math.abs(x);
      count += e.length;
    }
    if (count > 0 && Number.isFinite(sum)) {
      scores.push({ candidate: c, scaledError: sum / count / scale, errors });
    }
  }
  return scores.sort((a, b) => a.scaledError - b.scaledError);
}

function naiveScale(series: readonly number[], lag: number): number {
  const m = series.length > lag ? lag : 1;
  let sum = 0;
  for (let t = m; t < series.length; t++)
    sum += Math.abs((series[t] as number) - (series[t - m] as number));
  const s = sum / Math.max(1, series.length - m);
  return s > 0 ? s : 1;
}
