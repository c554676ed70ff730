/**
 * Pattern novelty in the spirit of KNN-CAD (Burnaev & Ishimtsev, conformal k-nearest neighbours
 * over delay embeddings): the last `dims` normalised values form a point; its novelty is the mean
 * squared distance to its `k` nearest neighbours among a bounded bank of past points (every
 * `stride`-th one is kept, oldest replaced first), over the running mean of that distance. A spike
 * of an unseen shape, a burst or a missing daily jump lands far from every remembered pattern even
 * when each single step looks ordinary. Cost: `capacity × dims` per point, bounded state.
 */

export interface KnnState {
  /** The last `dims` normalised values, oldest first (the first `filled` while the stream starts). */
  recent: Float64Array;
  filled: number;
  /** `capacity` points of `dims` values each, flattened (rows past `count` are unused zeros). */
  bank: Float64Array;
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

export function newKnnState(o = KNN_DEFAULTS): KnnState {
  return {
    recent: new Float64Array(o.dims),
    filled: 0,
    bank: new Float64Array(o.capacity * o.dims),
    head: 0,
    count: 0,
    sinceInsert: 0,
    meanDistance: 0,
    n: 0,
  };
}

/** Plain-JSON form (the bank as an array) for snapshots. */
export function knnToJson(s: KnnState): unknown {
  const { filled, ...rest } = s;
  return { ...rest, recent: Array.from(s.recent.subarray(0, filled)), bank: Array.from(s.bank) };
}

/** An independent copy. */
export function knnClone(s: KnnState): KnnState {
  return { ...s, recent: s.recent.slice(), bank: s.bank.slice() };
}

/** Restores `knnToJson` output, and snapshots from when the bank was a plain array. */
export function knnFromJson(j: unknown): KnnState {
  const o = j as Omit<KnnState, "bank" | "recent" | "filled"> & {
    recent: ArrayLike<number | null>;
    bank: ArrayLike<number | null>;
  };
  const bank = new Float64Array(Math.max(o.bank.length, KNN_DEFAULTS.capacity * KNN_DEFAULTS.dims));
  // JSON turns NaN into null; the array bank read a null as 0, and so does this one.
  for (let i = 0; i < o.bank.length; i++) bank[i] = o.bank[i] ?? 0;
  const recent = new Float64Array(Math.max(o.recent.length, KNN_DEFAULTS.dims));
  for (let i = 0; i < o.recent.length; i++) recent[i] = o.recent[i] ?? 0;
  return { ...o, recent, filled: o.recent.length, bank };
}

/**
 * Mean of the `k` smallest squared distances from (r0, r1, r2, r3) to the first `end / 4` rows of
 * a 4-wide bank (the default; k ≤ 3 kept in locals: this loop is the detector's hot path).
 */
function nearest4(
  bank: Float64Array,
  end: number,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  k: number,
): number {
  let b1 = Number.POSITIVE_INFINITY;
  let b2 = Number.POSITIVE_INFINITY;
  let b3 = Number.POSITIVE_INFINITY;
  for (let base = 0; base < end; base += 4) {
    const e0 = r0 - (bank[base] as number);
    const e1 = r1 - (bank[base + 1] as number);
    const e2 = r2 - (bank[base + 2] as number);
    const e3 = r3 - (bank[base + 3] as number);
    const d = e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3;
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
  const sum = k === 1 ? b1 : k === 2 ? b1 + b2 : b1 + b2 + b3;
  return sum / k / 4;
}

/** The same for any `dims`. */
function nearestDistance(s: KnnState, o: KnnOptions): number {
  const { bank, recent } = s;
  const dims = o.dims;
  const end = Math.min(s.count, o.capacity) * dims;
  const k = Math.min(o.k, 3);
  if (dims === 4) {
    return nearest4(
      bank,
      end,
      recent[0] as number,
      recent[1] as number,
      recent[2] as number,
      recent[3] as number,
      k,
    );
  }
  let b1 = Number.POSITIVE_INFINITY;
  let b2 = Number.POSITIVE_INFINITY;
  let b3 = Number.POSITIVE_INFINITY;
  for (let base = 0; base < end; base += dims) {
    let d = 0;
    for (let j = 0; j < dims; j++) {
      const diff = (recent[j] as number) - (bank[base + j] as number);
      d += diff * diff;
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
  const sum = k === 1 ? b1 : k === 2 ? b1 + b2 : b1 + b2 + b3;
  return sum / k / dims;
}

/**
 * Pushes a normalised value; returns its distance to the nearest remembered patterns over the
 * usual such distance (about 1 is ordinary), or 0 while the bank is filling.
 */
export function knnUpdate(s: KnnState, x: number, o = KNN_DEFAULTS): number {
  // `recent` is kept in order (oldest first) so bank rows compare position by position.
  if (s.filled < o.dims) {
    if (s.recent.length < o.dims) {
      // A state made for fewer dimensions (the defaults) than these options ask for.
      const recent = new Float64Array(o.dims);
      recent.set(s.recent.subarray(0, s.filled));
      s.recent = recent;
    }
    s.recent[s.filled++] = x;
    if (s.filled < o.dims) return 0;
  } else {
    const recent = s.recent;
    for (let j = 1; j < o.dims; j++) recent[j - 1] = recent[j] as number;
    recent[o.dims - 1] = x;
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
    if (s.bank.length < o.capacity * o.dims) {
      // A state made for a smaller bank (the defaults) than these options ask for.
      const bank = new Float64Array(o.capacity * o.dims);
      bank.set(s.bank);
      s.bank = bank;
    }
    for (let j = 0; j < o.dims; j++) s.bank[s.head * o.dims + j] = s.recent[j] as number;
    s.head = (s.head + 1) % o.capacity;
    s.count++;
  }
  return s.n > 20 ? ratio : 0;
}
