/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number) => k.reduce((s, v) => s * x + v, 0);
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * Per-step error spread from backtest errors (errors[origin][step]). Few origins give few
 * samples per step, so each step pools a window of neighbouring steps, and the spread never
 * shrinks with the horizon.
 */
export function stepSigmas(errors: readonly number[][], horizon: number): number[] {
  const out: number[] = [];
  let prev = 0;
  for (let h = 0; h < horizon; h++) {
    const w = Math.max(2, Math.floor(h / 4));
    let sum = 0;
    let count = 0;
    for (const row of errors) {
      for (let j = Math.max(0, h - w); j <= Math.min(row.length - 1, h + w); j++) {
        sum += (row[j] as number) ** 2;
        count++;
      }
    }
    prev = Math.max(prev, count > 0 ? Math.sqrt(sum / count) : 0);
    out.push(prev);
  }
  return out;
}
