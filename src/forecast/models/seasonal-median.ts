import { OpsloopError } from "../../core/errors.ts";

/**
 * Seasonal median: each future step is the median of the same phase over the last `cycles`
 * seasons. Robust to a one-off spike or outage in a single past week, which the seasonal
 * naive copies straight into the forecast.
 */
export function seasonalMedian(
  series: readonly number[],
  horizon: number,
  period: number,
  cycles: number,
): number[] {
  const n = series.length;
  if (n < cycles * period) {
    throw new OpsloopError(
      "invalid_input",
      `seasonal median needs ${cycles * period} values, got ${n}`,
    );
  }
  return Array.from({ length: horizon }, (_, h) => {
    const phase = h % period;
    const values: number[] = [];
    for (let k = 1; k <= cycles; k++) values.push(series[n - k * period + phase] as number);
    values.sort((a, b) => a - b);
    const mid = Math.floor(values.length / 2);
    return values.length % 2 === 1
      ? (values[mid] as number)
      : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
  });
}
