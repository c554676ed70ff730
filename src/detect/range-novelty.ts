/**
 * Range novelty: how far a value lies from every value the series has taken before. Values are
 * bucketed (the width is fixed after `warmup` points, a day of 5-minute samples: their 1st–99th
 * percentile spread over `buckets`), and each visited bucket remembers when it was last seen. A value in a visited bucket
 * has gap 0; otherwise the gap is the distance to the nearest bucket visited within `memory`
 * points (searched up to `reach` buckets either side). A spike above the highest value ever seen,
 * or a value in a band the series always jumped across (between its baseline and its usual daily
 * peaks), gets a gap even when the step that led there is of a usual size. This is the property
 * that makes value-encoding detectors such as HTM fire on a series' first never-seen level; the
 * code is opsloop's own. Most of the time cost is one Map lookup per point; the state is bounded
 * by `maxBuckets` (least recently seen dropped first) and serialises to plain JSON.
 */

export interface RangeState {
  warm: number[];
  width: number;
  n: number;
  /** Bucket index → index of the last point seen in it. */
  seen: Map<number, number>;
}

export interface RangeOptions {
  warmup: number;
  buckets: number;
  memory: number;
  reach: number;
  maxBuckets: number;
}

export const RANGE_DEFAULTS: RangeOptions = {
  warmup: 288,
  buckets: 50,
  memory: 100_000,
  reach: 64,
  maxBuckets: 4096,
};

export function newRangeState(): RangeState {
  return { warm: [], width: 0, n: 0, seen: new Map() };
}

export function rangeToJson(s: RangeState): unknown {
  return { ...s, warm: [...s.warm], seen: [...s.seen] };
}

/** An independent copy (the buckets in the same order: pruning breaks ties by it). */
export function rangeClone(s: RangeState): RangeState {
  return { ...s, warm: s.warm.slice(), seen: new Map(s.seen) };
}

export function rangeFromJson(j: unknown): RangeState {
  const o = j as Omit<RangeState, "seen"> & { seen: [number, number][] };
  return { ...o, warm: [...o.warm], seen: new Map(o.seen) };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function visited(s: RangeState, bucket: number, memory: number): boolean {
  const at = s.seen.get(bucket);
  return at !== undefined && s.n - at <= memory;
}

function prune(s: RangeState, o: RangeOptions): void {
  for (const [k, at] of s.seen) if (s.n - at > o.memory) s.seen.delete(k);
  if (s.seen.size <= o.maxBuckets) return;
  // Still too many (a series that keeps reaching new values): keep the most recently seen 3/4.
  const byAge = [...s.seen].sort((a, b) => b[1] - a[1]);
  s.seen = new Map(byAge.slice(0, Math.floor((o.maxBuckets * 3) / 4)));
}

/**
 * Pushes a value; returns its distance (in the series' units) to the nearest value seen before,
 * 0 for a value in a visited bucket or while warming up.
 */
export function rangeUpdate(s: RangeState, v: number, o = RANGE_DEFAULTS): number {
  s.n++;
  if (s.width === 0) {
    warmUp(s, v, o);
    return 0;
  }
  const bucket = Math.floor(v / s.width);
  const at = s.seen.get(bucket);
  // The hot path: a bucket seen recently enough is not rewritten (its mark may lag by memory/2).
  if (at !== undefined && s.n - at <= o.memory / 2) return 0;
  return mark(s, bucket, at, o);
}

/** Collects the first `warmup` values; then fixes the bucket width and marks their buckets. */
function warmUp(s: RangeState, v: number, o: RangeOptions): void {
  s.warm.push(v);
  if (s.warm.length < o.warmup) return;
  const sorted = [...s.warm].sort((a, b) => a - b);
  const spread = quantile(sorted, 0.99) - quantile(sorted, 0.01);
  s.width =
    spread > 0 ? spread / o.buckets : Math.abs(quantile(sorted, 0.5)) / (10 * o.buckets) || 1e-3;
  for (const w of s.warm) s.seen.set(Math.floor(w / s.width), s.n);
  s.warm = [];
}

/** Marks `bucket` as seen now; its gap to the nearest bucket seen within memory (0 if it was). */
function mark(s: RangeState, bucket: number, at: number | undefined, o: RangeOptions): number {
  let gap = 0;
  if (at === undefined || s.n - at > o.memory) {
    let k = 1;
    while (k < o.reach && !visited(s, bucket - k, o.memory) && !visited(s, bucket + k, o.memory)) {
      k++;
    }
    gap = (k - 0.5) * s.width;
  }
  s.seen.set(bucket, s.n);
  if (s.seen.size > o.maxBuckets) prune(s, o);
  return gap;
}
