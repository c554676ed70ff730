import { OpsloopError } from "../core/errors.ts";
import { seededRandom } from "../core/ids.ts";
import { centredMovingAverage } from "./decompose.ts";
import { circularAutocorrelation, periodogram } from "./spectrum.ts";

export interface PeriodicityOptions {
  /** Work on at most this many points: longer series are averaged into bins first. */
  maxPoints?: number;
  /** Minimum share of detrended variance a period's profile must explain. */
  minStrength?: number;
  /** Shuffles used for the spectral power threshold (as Crane's FindPeriod). */
  shuffles?: number;
  seed?: number;
}

export interface PeriodCandidate {
  /** Period in samples of the input series. */
  period: number;
  acf: number;
  strength: number;
}

export interface PeriodResult {
  /** The dominant period in samples, or null when the series is aperiodic. */
  period: number | null;
  /** Every accepted period in samples, shortest first (e.g. daily then weekly). */
  periods: number[];
  candidates: PeriodCandidate[];
}

/**
 * Period detection for operational series, after Crane's FindPeriod (FFT peaks above a
 * shuffled-power threshold, confirmed by a circular-autocorrelation peak, highest ACF wins)
 * with one more gate that rejects trends and steps: a period must be seen at least three
 * times and its phase profile must explain a real share of the variance left after removing
 * a moving average over one period. A longer period seen only twice (a week in a two-week
 * window) is accepted only as a multiple of an accepted shorter one.
 */
export function detectPeriods(
  values: readonly number[],
  opts: PeriodicityOptions = {},
): PeriodResult {
  if (values.length < 8 || values.some((v) => !Number.isFinite(v))) {
    throw new OpsloopError("invalid_input", "period detection needs at least 8 finite values");
  }
  const bin = Math.max(1, Math.ceil(values.length / (opts.maxPoints ?? 2048)));
  const x = binMeans(values, bin);
  const n = x.length;
  const acf = circularAutocorrelation(x);
  const power = periodogram(x);
  const threshold = shuffledPowerThreshold(x, opts.shuffles ?? 20, opts.seed ?? 1);
  const minStrength = opts.minStrength ?? 0.3;
  const accepted: PeriodCandidate[] = [];
  const tried = new Set<number>();
  for (let k = 3; k < power.length; k++) {
    if ((power[k] as number) < threshold) continue;
    for (const p of [Math.round(n / k), refineLag(acf, n, k)]) {
      if (p < 4 || tried.has(p)) continue;
      tried.add(p);
      if ((acf[p] as number) <= 0 || !isAcfPeak(acf, p)) continue;
      const strength = profileStrength(x, p);
      if (strength >= Math.max(minStrength, 2.5 * chanceStrength(n, p))) {
        accepted.push({ period: p * bin, acf: acf[p] as number, strength });
      }
    }
  }
  const base = shortestEquivalent(accepted);
  if (base === null) return { period: null, periods: [], candidates: accepted };
  // The base period is found on binned data; the day-vs-week choice is a near tie on some
  // series, so it uses the raw samples' autocorrelation, as Crane does.
  const rawAcf = bin === 1 ? acf : circularAutocorrelation(values);
  const longer = longerMultiple(rawAcf, base.period);
  const periods = longer === null ? [base.period] : [base.period, longer];
  return { period: periods[periods.length - 1] as number, periods, candidates: accepted };
}

/**
 * Crane's rule, applied to the week over the day: 7× the base period wins when the
 * autocorrelation peaks there higher than at the base period. Only 7× is tried because
 * operational cycles are days and weeks, and on a noisy daily series some other multiple
 * (3 days, say) beats the base by chance.
 */
function longerMultiple(acf: readonly number[], base: number): number | null {
  const q = 7 * base;
  if (q > acf.length / 2) return null;
  const wins = (acf[q] as number) > (acf[base] as number);
  return wins && isAcfPeak(acf, q, Math.max(2, Math.ceil(base / 6))) ? q : null;
}

/**
 * The strongest candidate, unless it is a multiple of a shorter candidate (4 days over 1 day)
 * that explains almost as much, in which case the shorter one is the real cycle.
 */
function shortestEquivalent(accepted: readonly PeriodCandidate[]): PeriodCandidate | null {
  const byStrength = [...accepted].sort((a, b) => b.strength - a.strength || a.period - b.period);
  let best = byStrength[0] ?? null;
  if (best === null) return null;
  for (const c of [...accepted].sort((a, b) => a.period - b.period)) {
    const ratio = best.period / c.period;
    const multiple =
      Math.round(ratio) >= 2 &&
      Math.abs(ratio - Math.round(ratio)) * c.period <= Math.max(1, 0.01 * best.period);
    if (c.period < best.period && multiple && c.strength >= best.strength - 0.05) {
      best = c;
      break;
    }
  }
  return best;
}

/**
 * Frequency bin k covers periods n/(k+½)..n/(k−½); unless the window holds a whole number of
 * cycles, n/k is not an integer, so take the lag with the highest autocorrelation in that range.
 */
function refineLag(acf: readonly number[], n: number, k: number): number {
  const from = Math.max(2, Math.ceil(n / (k + 0.5)));
  const to = Math.min(Math.floor(n / 2), Math.floor(n / (k - 0.5)));
  let best = Math.round(n / k);
  for (let lag = from; lag <= to; lag++)
    if ((acf[lag] as number) > (acf[best] as number)) best = lag;
  return best;
}

function binMeans(values: readonly number[], bin: number): number[] {
  if (bin === 1) return values.slice();
  const out: number[] = [];
  for (let i = 0; i + bin <= values.length; i += bin) {
    let s = 0;
    for (let j = i; j < i + bin; j++) s += values[j] as number;
    out.push(s / bin);
  }
  return out;
}

/** 99th percentile of the largest periodogram ordinate over shuffles of the samples. */
function shuffledPowerThreshold(x: readonly number[], shuffles: number, seed: number): number {
  const random = seededRandom(seed);
  const maxima: number[] = [];
  const y = x.slice();
  for (let s = 0; s < shuffles; s++) {
    for (let i = y.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [y[i], y[j]] = [y[j] as number, y[i] as number];
    }
    maxima.push(Math.max(...periodogram(y).slice(1)));
  }
  maxima.sort((a, b) => a - b);
  return maxima[Math.min(maxima.length - 1, Math.floor(0.99 * maxima.length))] as number;
}

/**
 * Crane's peak test: the ACF rises into lag p and falls after it, by least-squares slopes over
 * a window of about 4 h for a daily period (Crane: ± min(4 h, period/2)).
 */
function isAcfPeak(acf: readonly number[], p: number, halfWidth = Math.ceil(p / 6)): boolean {
  const w = Math.max(2, Math.min(Math.floor(p / 2), halfWidth));
  if (p + w >= acf.length) return false;
  return slope(acf, p - w, p) > 0 && slope(acf, p, p + w) < 0;
}

function slope(y: readonly number[], from: number, to: number): number {
  const m = to - from + 1;
  const xm = (from + to) / 2;
  let ym = 0;
  for (let i = from; i <= to; i++) ym += y[i] as number;
  ym /= m;
  let num = 0;
  let den = 0;
  for (let i = from; i <= to; i++) {
    num += (i - xm) * ((y[i] as number) - ym);
    den += (i - xm) ** 2;
  }
  return num / den;
}

/** R² of per-phase means of x minus its centred moving average over one period. */
function profileStrength(x: readonly number[], p: number): number {
  const trend = centredMovingAverage(x, p);
  const d: number[] = [];
  const phase: number[] = [];
  x.forEach((v, t) => {
    if (!Number.isNaN(trend[t] as number)) {
      d.push(v - (trend[t] as number));
      phase.push(t % p);
    }
  });
  const sums = new Array<number>(p).fill(0);
  const counts = new Array<number>(p).fill(0);
  d.forEach((v, i) => {
    sums[phase[i] as number] = (sums[phase[i] as number] as number) + v;
    counts[phase[i] as number] = (counts[phase[i] as number] as number) + 1;
  });
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  let total = 0;
  let resid = 0;
  d.forEach((v, i) => {
    const ph = phase[i] as number;
    total += (v - mean) ** 2;
    resid += (v - (sums[ph] as number) / (counts[ph] as number)) ** 2;
  });
  return total === 0 ? 0 : 1 - resid / total;
}

/** Expected R² of p phase means fitted to pure noise. */
function chanceStrength(n: number, p: number): number {
  return (p - 1) / Math.max(1, n - p - 1);
}
