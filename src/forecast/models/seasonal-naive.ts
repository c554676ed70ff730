import { OpsloopError } from "../../core/errors.ts";

/** Repeat the last full season: ŷ_{n+h} = y_{n+h−m·ceil(h/m)}. */
export function seasonalNaive(
  series: readonly number[],
  horizon: number,
  period: number,
): number[] {
  const m = Math.max(1, Math.round(period));
  if (series.length < m) {
    throw new OpsloopError(
      "invalid_input",
      `seasonal naive needs at least one season (${m} values), got ${series.length}`,
    );
  }
  const out: number[] = [];
  const start = series.length - m;
  for (let h = 0; h < horizon; h++) out.push(series[start + (h % m)] as number);
  return out;
}

/**
 * Seasonal naive re-levelled: the last season scaled by how the latest `window` values compare
 * with the same positions one season earlier (ratio for positive data, difference otherwise).
 * Keeps the shape of the last day while following a level shift that happened within it.
 */
export function seasonalNaiveLevel(
  series: readonly number[],
  horizon: number,
  period: number,
  window: number,
): number[] {
  const n = series.length;
  if (n < period + window) {
    throw new OpsloopError(
      "invalid_input",
      `re-levelled seasonal naive needs ${period + window} values, got ${n}`,
    );
  }
  const mean = (from: number) => {
    let s = 0;
    for (let t = from; t < from + window; t++) s += series[t] as number;
    return s / window;
  };
  const recent = mean(n - window);
  const before = mean(n - period - window);
  const base = seasonalNaive(series, horizon, period);
  if (recent > 0 && before > 0) return base.map((v) => v * (recent / before));
  return base.map((v) => v + recent - before);
}
