import { OpsloopError } from "../core/errors.ts";

/**
 * Accuracy measures exactly as the M4 competition defines them (Makridakis et al., IJF 2020,
 * and the organisers' R code): per-series averages over the horizon; set-level averages are the
 * plain mean of the per-series values.
 */

function checkPair(actual: readonly number[], forecast: readonly number[]): void {
  if (actual.length === 0 || actual.length !== forecast.length) {
    throw new OpsloopError(
      "invalid_input",
      `actual and forecast must be non-empty and of equal length (got ${actual.length} and ${forecast.length})`,
    );
  }
}

/** Symmetric MAPE in percent: (200/h) Σ |y−ŷ| / (|y|+|ŷ|). */
export function smape(actual: readonly number[], forecast: readonly number[]): number {
  checkPair(actual, forecast);
  let sum = 0;
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t] as number;
    const f = forecast[t] as number;
    sum += Math.abs(y - f) / (Math.abs(y) + Math.abs(f));
  }
  return (200 * sum) / actual.length;
}

/** In-sample MAE of the seasonal-naive forecast at lag m: the MASE scale. */
export function seasonalNaiveScale(insample: readonly number[], m: number): number {
  if (insample.length <= m) {
    throw new OpsloopError("invalid_input", `MASE needs more than m=${m} in-sample values`);
  }
  let sum = 0;
  for (let t = m; t < insample.length; t++) {
    sum += Math.abs((insample[t] as number) - (insample[t - m] as number));
  }
  return sum / (insample.length - m);
}

/** Mean absolute scaled error with the seasonal-naive in-sample scale at lag m. */
export function mase(
  insample: readonly number[],
  actual: readonly number[],
  forecast: readonly number[],
  m: number,
): number {
  checkPair(actual, forecast);
  let sum = 0;
  for (let t = 0; t < actual.length; t++) {
    sum += Math.abs((actual[t] as number) - (forecast[t] as number));
  }
  return sum / actual.length / seasonalNaiveScale(insample, m);
}

/** M4 Hourly Naive2 reference values, from the official results. */
export const M4_HOURLY_NAIVE2 = { smape: 18.383, mase: 2.395 } as const;

/** Overall Weighted Average relative to Naive2 (computed on set-level means). */
export function owa(
  smapeMean: number,
  maseMean: number,
  naive2: { smape: number; mase: number } = M4_HOURLY_NAIVE2,
): number {
  return 0.5 * (smapeMean / naive2.smape + maseMean / naive2.mase);
}

/**
 * Mean scaled interval score (M4's interval measure) for a (1−alpha) interval: width plus
 * 2/alpha times each miss, averaged over the horizon and divided by the seasonal-naive scale.
 */
export function msis(
  insample: readonly number[],
  actual: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
  m: number,
  alpha = 0.05,
): number {
  checkPair(actual, lower);
  checkPair(actual, upper);
  let sum = 0;
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t] as number;
    const l = lower[t] as number;
    const u = upper[t] as number;
    sum += u - l + (y < l ? (2 / alpha) * (l - y) : 0) + (y > u ? (2 / alpha) * (y - u) : 0);
  }
  return sum / actual.length / seasonalNaiveScale(insample, m);
}

/** Share of actual values inside [lower, upper]. */
export function coverage(
  actual: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
): number {
  checkPair(actual, lower);
  let inside = 0;
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t] as number;
    if (y >= (lower[t] as number) && y <= (upper[t] as number)) inside++;
  }
  return inside / actual.length;
}
