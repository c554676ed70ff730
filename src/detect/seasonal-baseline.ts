/**
 * Seasonal baseline: the median of the values at this phase over the last few periods, where the
 * period (a day or a week, in samples) is found from the data by autocorrelation over a bounded ring buffer. The period check runs once
 * per `recheckEvery` points over at most `capacity` samples, so the cost is O(1) amortised.
 */

const DAY_MS = 86_400_000;
const CANDIDATE_PERIODS_MS = [DAY_MS, 7 * DAY_MS];

export interface SeasonalState {
  stepMs: number;
  lastT: number;
  /** The last `capacity` values (slots not written yet are never read: see `count`). */
  ring: Float64Array;
  head: number;
  count: number;
  period: number;
  sinceCheck: number;
  acf: number;
}

export interface SeasonalOptions {
  capacity: number;
  minAcf: number;
  recheckEvery: number;
  jitter: number;
  /** The baseline is the median of the values 1…`periods` periods ago (those still in the ring). */
  periods: number;
}

export const SEASONAL_DEFAULTS: SeasonalOptions = {
  capacity: 4096,
  minAcf: 0.6,
  recheckEvery: 288,
  jitter: 0,
  periods: 3,
};

export function newSeasonalState(o = SEASONAL_DEFAULTS): SeasonalState {
  return {
    stepMs: 0,
    lastT: Number.NaN,
    ring: new Float64Array(o.capacity),
    head: 0,
    count: 0,
    period: 0,
    sinceCheck: 0,
    acf: 0,
  };
}

/** Plain-JSON form (the ring as an array) for snapshots. */
export function seasonalToJson(s: SeasonalState): unknown {
  return { ...s, ring: Array.from(s.ring) };
}

/** An independent copy. */
export function seasonalClone(s: SeasonalState): SeasonalState {
  return { ...s, ring: s.ring.slice() };
}

/** Restores `seasonalToJson` output, and snapshots from when the ring was a plain array. */
export function seasonalFromJson(j: unknown): SeasonalState {
  const o = j as Omit<SeasonalState, "ring"> & { ring: ArrayLike<number | null> };
  const ring = new Float64Array(Math.max(o.ring.length, SEASONAL_DEFAULTS.capacity));
  for (let i = 0; i < o.ring.length; i++) ring[i] = o.ring[i] ?? 0;
  return { ...o, ring };
}

/** The sample `lag` steps back (1 = previous), or undefined if not kept. */
function back(s: SeasonalState, lag: number, capacity: number): number | undefined {
  if (lag > s.count || lag > capacity) return undefined;
  // head < capacity and lag ≤ capacity, so one wrap is enough (no division on the hot path).
  const i = s.head - lag;
  return s.ring[i < 0 ? i + capacity : i];
}

function autocorrelation(s: SeasonalState, lag: number, capacity: number): number {
  const n = Math.min(s.count, capacity) - lag;
  if (n < lag) return 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  // Walk the ring backwards with wrapped indices (this loop is the detector's period check).
  const ring = s.ring;
  let ix = (s.head - 1 + capacity) % capacity;
  let iy = (s.head - 1 - lag + capacity * 2) % capacity;
  for (let i = 1; i <= n; i++) {
    const x = ring[ix] as number;
    const y = ring[iy] as number;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
    ix = ix === 0 ? capacity - 1 : ix - 1;
    iy = iy === 0 ? capacity - 1 : iy - 1;
  }
  const cov = sxy - (sx * sy) / n;
  const den = Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));
  return den > 0 ? cov / den : 0;
}

function recheckPeriod(s: SeasonalState, o: SeasonalOptions): void {
  s.sinceCheck = 0;
  if (s.stepMs <= 0) return;
  let best = 0;
  let bestAcf = o.minAcf;
  for (const ms of CANDIDATE_PERIODS_MS) {
    const lag = Math.round(ms / s.stepMs);
    if (lag < 4 || 2 * lag > o.capacity) continue;
    const acf = autocorrelation(s, lag, o.capacity);
    if (acf > bestAcf) {
      best = lag;
      bestAcf = acf;
    }
  }
  s.period = best;
  s.acf = best > 0 ? bestAcf : 0;
}

/** The value about `lag` samples back closest to v, allowing ±`jitter` samples (NaN if none kept). */
function closestBack(s: SeasonalState, v: number, lag: number, o: SeasonalOptions): number {
  let best = Number.NaN;
  let bestD = Number.POSITIVE_INFINITY;
  for (let k = lag - o.jitter; k <= lag + o.jitter; k++) {
    if (k < 1) continue;
    const past = back(s, k, o.capacity);
    if (past === undefined) continue;
    const d = Math.abs(v - past);
    if (d < bestD) {
      bestD = d;
      best = past;
    }
  }
  return best;
}

const pastValues: number[] = [];

/**
 * Distance from the seasonal baseline: the median of the values at this phase over the last
 * `periods` detected periods (one odd day, say a holiday a week ago, does not become the forecast;
 * a holiday today stands out against three ordinary days), each allowing ±`jitter` samples (daily
 * jobs drift by a scrape or two). Trying the daily lag even without a detected period, or a jitter
 * above 0, scored lower on NAB DEV; one period instead of three too (see bench/nab/NOTES.md).
 */
function seasonalResidual(s: SeasonalState, v: number, o: SeasonalOptions): number {
  if (s.stepMs <= 0 || s.period <= 0) return Number.NaN;
  if (o.jitter === 0 && o.periods === 3) return residual3(s, v, o.capacity);
  pastValues.length = 0;
  for (let k = 1; k <= o.periods; k++) {
    const past = closestBack(s, v, k * s.period, o);
    if (!Number.isNaN(past)) pastValues.push(past);
  }
  const n = pastValues.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return Math.abs(v - (pastValues[0] as number));
  if (n === 3) {
    const a = pastValues[0] as number;
    const b = pastValues[1] as number;
    const c = pastValues[2] as number;
    return Math.abs(v - Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)));
  }
  pastValues.sort((a, b) => a - b);
  const median =
    n % 2 === 1
      ? (pastValues[(n - 1) / 2] as number)
      : ((pastValues[n / 2 - 1] as number) + (pastValues[n / 2] as number)) / 2;
  return Math.abs(v - median);
}

/**
 * `seasonalResidual` for the defaults (three periods, no jitter) without the list: the values
 * one, two and three periods back that are kept (and not infinitely far from v), then their median.
 */
function residual3(s: SeasonalState, v: number, capacity: number): number {
  let n = 0;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let k = 1; k <= 3; k++) {
    const past = back(s, k * s.period, capacity);
    // As closestBack: a value counts only when its distance is below the initial +Infinity.
    if (past === undefined || !(Math.abs(v - past) < Number.POSITIVE_INFINITY)) continue;
    if (n === 0) a = past;
    else if (n === 1) b = past;
    else c = past;
    n++;
  }
  if (n === 0) return Number.NaN;
  if (n === 1) return Math.abs(v - a);
  if (n === 3) return Math.abs(v - Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)));
  return Math.abs(v - (a + b) / 2);
}

/** Pushes a value and returns its seasonal residual from before seeing it (NaN if none yet). */
export function seasonalUpdate(
  s: SeasonalState,
  t: number,
  v: number,
  o = SEASONAL_DEFAULTS,
): number {
  if (!Number.isNaN(s.lastT) && t > s.lastT) {
    const dt = t - s.lastT;
    // The smallest step seen is the sampling interval; gaps are multiples of it.
    s.stepMs = s.stepMs === 0 ? dt : Math.min(s.stepMs, dt);
  }
  s.lastT = t;
  const residual = seasonalResidual(s, v, o);
  if (s.ring.length < o.capacity) {
    // A state made for a smaller ring (the defaults) than these options ask for.
    const ring = new Float64Array(o.capacity);
    ring.set(s.ring);
    s.ring = ring;
  }
  s.ring[s.head] = v;
  s.head = s.head + 1 >= o.capacity ? 0 : s.head + 1;
  s.count++;
  s.sinceCheck++;
  if (s.sinceCheck >= o.recheckEvery) recheckPeriod(s, o);
  return residual;
}
