/** Classical decomposition helpers as R's stats::decompose and the M4 benchmark code use them. */

/** Sample autocorrelation r_1..r_maxLag as R's acf() computes it (biased, mean-centred). */
export function acf(x: readonly number[], maxLag: number): number[] {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const d = x.map((v) => v - mean);
  let c0 = 0;
  for (const v of d) c0 += v * v;
  const out: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    let s = 0;
    for (let t = k; t < n; t++) s += (d[t] as number) * (d[t - k] as number);
    out.push(c0 === 0 ? 0 : s / c0);
  }
  return out;
}

/** The M4 benchmarks' 90% seasonality test: |r_m| > 1.645·sqrt((1 + 2Σ_{k<m} r_k²)/n). */
export function isSeasonal(x: readonly number[], m: number): boolean {
  if (m <= 1 || x.length < 3 * m) return false;
  const r = acf(x, m);
  let sum = 1;
  for (let k = 0; k < m - 1; k++) sum += 2 * (r[k] as number) ** 2;
  const limit = (1.645 / Math.sqrt(x.length)) * Math.sqrt(sum);
  return Math.abs(r[m - 1] as number) > limit;
}

/** Centred moving average of order m (2×m for even m), NaN where the window does not fit. */
export function centredMovingAverage(x: readonly number[], m: number): number[] {
  const n = x.length;
  const out = new Array<number>(n).fill(Number.NaN);
  const w = new Array<number>(m % 2 === 0 ? m + 1 : m).fill(1 / m);
  if (m % 2 === 0) {
    w[0] = 0.5 / m;
    w[m] = 0.5 / m;
  }
  const half = (w.length - 1) / 2;
  for (let t = half; t < n - half; t++) {
    let s = 0;
    for (let j = 0; j < w.length; j++) s += (w[j] as number) * (x[t - half + j] as number);
    out[t] = s;
  }
  return out;
}

/**
 * Multiplicative seasonal indices for every position of x, as decompose(type="multiplicative"):
 * per-phase means of x/trend (phase counted from the first observation), normalised to mean 1.
 */
export function multiplicativeSeasonalIndices(x: readonly number[], m: number): number[] {
  const trend = centredMovingAverage(x, m);
  const sums = new Array<number>(m).fill(0);
  const counts = new Array<number>(m).fill(0);
  for (let t = 0; t < x.length; t++) {
    const tr = trend[t] as number;
    if (Number.isNaN(tr)) continue;
    sums[t % m] = (sums[t % m] as number) + (x[t] as number) / tr;
    counts[t % m] = (counts[t % m] as number) + 1;
  }
  const figure = sums.map((s, i) => s / (counts[i] as number));
  const mean = figure.reduce((a, b) => a + b, 0) / m;
  return x.map((_, t) => (figure[t % m] as number) / mean);
}

/** Seasonal adjustment used by every M4 statistical benchmark: indices or all-ones. */
export function m4SeasonalAdjustment(
  x: readonly number[],
  m: number,
  horizon: number,
): { adjusted: number[]; outIndices: number[] } {
  if (!isSeasonal(x, m)) {
    return { adjusted: x.slice(), outIndices: new Array<number>(horizon).fill(1) };
  }
  const si = multiplicativeSeasonalIndices(x, m);
  const last = si.slice(si.length - m);
  return {
    adjusted: x.map((v, t) => v / (si[t] as number)),
    outIndices: Array.from({ length: horizon }, (_, h) => last[h % m] as number),
  };
}
