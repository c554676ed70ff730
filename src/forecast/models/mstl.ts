import { centredMovingAverage } from "../decompose.ts";
import { fitDampedHolt, fitSes } from "./ets.ts";

export interface MstlOptions {
  periods: number[];
  /** Model the log of a positive series, so seasonal swings scale with the level. */
  log: boolean;
  /** How many most recent cycles feed each seasonal profile, per period (shapes drift). */
  cycles: number[];
  trend: "damped" | "none";
}

/**
 * Multi-seasonal decomposition in the spirit of MSTL (Bandara, Hyndman & Bergmeir 2021) with
 * per-phase profiles instead of loess, followed by exponential smoothing of the seasonally
 * adjusted series (damped-trend ETS or SES). Intervals come from the caller's
 * rolling-origin backtest, not from this model.
 */
export function mstlForecast(
  series: readonly number[],
  horizon: number,
  opts: MstlOptions,
): number[] {
  const useLog = opts.log && series.every((v) => v > 0);
  const z = useLog ? series.map(Math.log) : series.slice();
  const n = z.length;
  const periods = opts.periods.filter((p) => p >= 2 && n >= 2 * p).sort((a, b) => a - b);
  const seasonals = periods.map(() => new Array<number>(n).fill(0));
  const profiles = periods.map((p) => new Array<number>(p).fill(0));
  for (let pass = 0; pass < 2; pass++) {
    const totalSeason = (skip: number) =>
      z.map((_, t) =>
        seasonals.reduce((s, sea, i) => (i === skip ? s : s + (sea[t] as number)), 0),
      );
    const trendWindow = periods[0] ?? 2;
    const trend = fillEdges(centredMovingAverage(subtract(z, totalSeason(-1)), trendWindow));
    periods.forEach((p, i) => {
      const other = totalSeason(i);
      const r = z.map((v, t) => v - (trend[t] as number) - (other[t] as number));
      const prof = phaseProfile(r, p, opts.cycles[i] ?? opts.cycles[0] ?? 4);
      profiles[i] = prof;
      seasonals[i] = z.map((_, t) => prof[t % p] as number);
    });
  }
  const adjusted = z.map((v, t) => v - seasonals.reduce((s, sea) => s + (sea[t] as number), 0));
  const base =
    opts.trend === "damped"
      ? fitDampedHolt(adjusted).forecast(horizon)
      : new Array<number>(horizon).fill(fitSes(adjusted).level);
  const out = base.map((b, h) => {
    const t = n + h;
    return b + profiles.reduce((s, prof, i) => s + (prof[t % (periods[i] as number)] as number), 0);
  });
  return useLog ? out.map(Math.exp) : out;
}

function subtract(a: readonly number[], b: readonly number[]): number[] {
  return a.map((v, i) => v - (b[i] as number));
}

function fillEdges(x: number[]): number[] {
  const first = x.findIndex((v) => !Number.isNaN(v));
  if (first < 0) return x.map(() => 0);
  let last = first;
  for (let t = 0; t < x.length; t++) {
    if (Number.isNaN(x[t] as number)) x[t] = t < first ? (x[first] as number) : (x[last] as number);
    else last = t;
  }
  return x;
}

/** Mean of r per phase (t mod p) over the last `cycles` cycles, centred to sum to zero. */
function phaseProfile(r: readonly number[], p: number, cycles: number): number[] {
  const n = r.length;
  const start = Math.max(0, n - cycles * p);
  const sums = new Array<number>(p).fill(0);
  const counts = new Array<number>(p).fill(0);
  for (let t = start; t < n; t++) {
    sums[t % p] = (sums[t % p] as number) + (r[t] as number);
    counts[t % p] = (counts[t % p] as number) + 1;
  }
  const prof = sums.map((s, i) => ((counts[i] as number) > 0 ? s / (counts[i] as number) : 0));
  const mean = prof.reduce((a, b) => a + b, 0) / p;
  return prof.map((v) => v - mean);
}
