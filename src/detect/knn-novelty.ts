/**
 * Pattern novelty in the spirit of KNN-CAD (Burnaev & Ishimtsev, conformal k-nearest neighbours
 * over delay embeddings): the last `dims` normalised values form a point; its novelty is the mean
 * squared distance to its `k` nearest neighbours among a bounded bank of past points (every
 * `stride`-th one is kept, oldest replaced first), over the running mean of that distance. A spike
 * of an unseen shape, a burst or a missing daily jump lands far from every remembered pattern even
 * when each single step looks ordinary. Cost: `capacity × dims` per point, bounded state.
 */

export interface KnnState {
  /** The last `dims` normalised values, oldest first. */
  recent: number[];
  /** `capacity` points of `dims` values each, flattened. */
  bank: number[];
  head: number;
  count: number;
  sinceInsert: number;
  meanDistance: number;
  n: number;
}

export interface KnnOptions {
  dims: number;
  capacity: number;
  stride: number;
  /** Nearest neighbours averaged (1 to 3). */
  k: number;
  /** Weight of the running mean of the distance. */
  alpha: number;
  /**
   * Floor of that mean (squared σ per dimension): after a flat start the mean distance is ~0 and
   * the first pattern that differs must not score a million.
   */
  minDistance: number;
}

export const KNN_DEFAULTS: KnnOptions = {
  dims: 4,
  capacity: 64,
  stride: 2,
  k: 3,
  alpha: 0.01,
  minDistance: 0.01,
};

export function newKnnState(): KnnState {
  return { recent: [], bank: [], head: 0, count: 0, sinceInsert: 0, meanDistance: 0, n: 0 };
}

/** Mean of the `k` smallest squared distances (k ≤ 3 kept in locals: this loop is the hot path). */
function nearestDistance(s: KnnState, o: KnnOptions): number {
  const { bank, recent } = s;
  const dims = o.dims;
  const rows = Math.min(s.count, o.capacity);
  let b1 = Number.POSITIVE_INFINITY;
  let b2 = Number.POSITIVE_INFINITY;
  let b3 = Number.POSITIVE_INFINITY;
  const r0 = recent[0] as number;
  const r1 = recent[1] as number;
  const r2 = recent[2] as number;
  const r3 = recent[3] as number;
  for (let base = 0; base < rows * dims; base += dims) {
    let d: number;
    if (dims === 4) {
      const e0 = r0 - (bank[base] as number);
      const e1 = r1 - (bank[base + 1] as number);
      const e2 = r2 - (bank[base + 2] as number);
      const e3 = r3 - (bank[base + 3] as number);
      d = e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3;
    } else {
      d = 0;
      for (let j = 0; j < dims; j++) {
        const diff = (recent[j] as number) - (bank[base + j] as number);
        d += diff * diff;
      }
    }
    if (d >= b3) continue;
    if (d < b1) {
      b3 = b2;
      b2 = b1;
      b1 = d;
    } else if (d < b2) {
      b3 = b2;
      b2 = d;
    } else b3 = d;
  }
  const k = Math.min(o.k, 3);
  const sum = k === 1 ? b1 : k === 2 ? b1 + b2 : b1 + b2 + b3;
  return sum / k / dims;
}

/**
 * Pushes a normalised value; returns its distance to the nearest remembered patterns over the
 * usual such distance (about 1 is ordinary), or 0 while the bank is filling.
 */
export function knnUpdate(s: KnnState, x: number, o = KNN_DEFAULTS): number {
  // `recent` is kept in order (oldest first) so bank rows compare position by position.
  if (s.recent.length < o.dims) {
    s.recent.push(x);
    if (s.recent.length < o.dims) return 0;
  } else {
    for (let j = 1; j < o.dims; j++) s.recent[j - 1] = s.recent[j] as number;
    s.recent[o.dims - 1] = x;
  }
  let ratio = 0;
  if (s.count >= o.k * 4) {
    const d = nearestDistance(s, o);
    s.n++;
    ratio = d / Math.max(s.meanDistance, o.minDistance);
    s.meanDistance += Math.max(o.alpha, 1 / s.n) * (d - s.meanDistance);
  }
  s.sinceInsert++;
  if (s.sinceInsert >= o.stride) {
    s.sinceInsert = 0;
    for (let j = 0; j < o.dims; j++) s.bank[s.head * o.dims + j] = s.recent[j] ?? 0;
    s.head = (s.head + 1) % o.capacity;
    s.count++;
  }
  return s.n > 20 ? ratio : 0;
}
