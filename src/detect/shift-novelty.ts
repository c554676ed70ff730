/**
 * Distribution-shift novelty: does the mix of values over the last `window` points differ from
 * the series' long-run mix? Values are bucketed on a grid fixed after `warmup` points (their
 * 1st–99th percentile spread over `buckets`, plus one tail bucket either side), the recent window
 * is a ring of bucket indices with exact counts, and the reference is a slowly decayed histogram
 * (per-point decay `decay`) of the values that have left the window, so the window is never
 * compared with itself. The divergence is the triangular discrimination Σ (p − q)² / (p + q),
 * bounded in [0, 2] and defined for empty buckets: a small level shift, a change of variance or
 * a change of the value mix that no single point shows moves it even when each value is
 * ordinary. Written from the textbook two-histogram test; the code is opsloop's own. O(buckets)
 * multiply-adds per point (no logarithms), the reference decay is lazy (one global weight), and
 * the state is a few small arrays of plain numbers.
 */

export interface ShiftOptions {
  warmup: number;
  /** Interior buckets across the warm-up's 1–99% spread (two tail buckets are added). */
  buckets: number;
  /** Points in the recent window. */
  window: number;
  /** Per-point decay of the reference histogram (0.999 ≈ 700-point half-life). */
  decay: number;
  /** The divergence is computed every this many points (−1 is returned in between). */
  every: number;
}

export const SHIFT_DEFAULTS: ShiftOptions = {
  warmup: 288,
  buckets: 32,
  window: 48,
  decay: 0.999,
  every: 4,
};

export interface ShiftState {
  warm: number[];
  lo: number;
  width: number;
  /** Recent window: bucket indices (ring) and their counts. */
  ring: number[];
  head: number;
  recent: number[];
  /** Reference histogram in lazily scaled units: mass = ref[b] / total. */
  ref: number[];
  total: number;
  weight: number;
  /** Points since the divergence was last computed. */
  n: number;
}

export function newShiftState(): ShiftState {
  return {
    warm: [],
    lo: 0,
    width: 0,
    ring: [],
    head: 0,
    recent: [],
    ref: [],
    total: 0,
    weight: 1,
    n: 0,
  };
}

/** An independent copy. */
export function shiftClone(s: ShiftState): ShiftState {
  return {
    ...s,
    warm: s.warm.slice(),
    ring: s.ring.slice(),
    recent: s.recent.slice(),
    ref: s.ref.slice(),
  };
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function bucketOf(s: ShiftState, x: number, buckets: number): number {
  const b = Math.floor((x - s.lo) / s.width) + 1;
  return Math.min(Math.max(b, 0), buckets + 1);
}

/** Adds a bucket to the recent window; the bucket that leaves it joins the reference. */
function push(s: ShiftState, b: number, o: ShiftOptions): void {
  if (s.ring.length < o.window) {
    s.ring.push(b);
  } else {
    const out = s.ring[s.head] as number;
    s.ring[s.head] = b;
    s.head = s.head + 1 === o.window ? 0 : s.head + 1;
    (s.recent[out] as number)--;
    s.weight /= o.decay;
    (s.ref[out] as number) += s.weight;
    s.total += s.weight;
    if (s.weight > 1e100) {
      for (let k = 0; k < s.ref.length; k++) (s.ref[k] as number) /= s.weight;
      s.total /= s.weight;
      s.weight = 1;
    }
  }
  (s.recent[b] as number)++;
}

/** Σ (p − q)² / (p + q) = 2 − 4 Σ pq / (p + q): only buckets of the recent window contribute to the sum. */
function divergence(s: ShiftState): number {
  const n = s.ring.length;
  if (s.total <= 0 || n === 0) return 0;
  const invN = 1 / n;
  const invT = 1 / s.total;
  let sum = 0;
  for (let k = 0; k < s.recent.length; k++) {
    const c = s.recent[k] as number;
    if (c === 0) continue;
    const p = c * invN;
    const q = (s.ref[k] as number) * invT;
    sum += (p * q) / (p + q);
  }
  return 2 - 4 * sum;
}

/** The grid from the warm-up's 1–99% spread; the warm-up values seed the window and reference. */
function fixGrid(s: ShiftState, o: ShiftOptions): void {
  // A typed array sorts numerically without a comparator call per comparison.
  const sorted = Float64Array.from(s.warm).sort();
  const lo = quantile(sorted, 0.01);
  const spread = quantile(sorted, 0.99) - lo;
  s.lo = lo;
  s.width = spread > 0 ? spread / o.buckets : Math.abs(lo) / (10 * o.buckets) || 1e-3;
  s.recent = Array.from({ length: o.buckets + 2 }, () => 0);
  s.ref = Array.from({ length: o.buckets + 2 }, () => 0);
  for (const w of s.warm) push(s, bucketOf(s, w, o.buckets), o);
  s.warm = [];
}

/**
 * Pushes a value; returns the divergence of the recent window from the reference, 0 while warming
 * up and −1 on the points between two computations.
 */
export function shiftUpdate(s: ShiftState, v: number, o = SHIFT_DEFAULTS): number {
  if (s.width === 0) {
    s.warm.push(v);
    if (s.warm.length >= o.warmup) fixGrid(s, o);
    return 0;
  }
  push(s, bucketOf(s, v, o.buckets), o);
  // A countdown rather than n % every: an integer division per point costs more than the push.
  if (++s.n < o.every) return -1;
  s.n = 0;
  return divergence(s);
}
