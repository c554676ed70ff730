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
