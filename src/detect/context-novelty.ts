/**
 * Context novelty, in the spirit of CAD OSE: values are quantised into buckets whose width is
 * fixed after a warm-up, and the detector counts (previous bucket → bucket) transitions with
 * exponential forgetting. A transition rarely or never seen from this context is novel. Counts
 * live in a hash table capped at `maxContexts` entries (the least used are dropped), so state is
 * bounded.
 */

export interface ContextState {
  warm: number[];
  width: number;
  origin: number;
  prev: number;
  /** Transition (from, to) → decayed count, and (from, from-total) → decayed total. */
  counts: CountTable;
  age: number;
}

export interface ContextOptions {
  warmup: number;
  buckets: number;
  decay: number;
  maxContexts: number;
}

export const CONTEXT_DEFAULTS: ContextOptions = {
  warmup: 100,
  buckets: 20,
  decay: 0.9999,
  maxContexts: 4096,
};

/** Buckets are clamped to ±2^20 so a (from, to) pair packs exactly into one double. */
const SPAN = 2 ** 21;
const TOTAL = SPAN;
/** Marks an empty slot (no bucket is this large). */
const EMPTY = 0x7fffffff;

/**
 * The counts: an open-addressing hash table (linear probing, at most half full) keyed by the
 * (from, to) bucket pair in two Int32Arrays, values in a Float64Array. A Map keyed by the packed
 * pair boxed two doubles and hashed them on every point; this is the detector's hot path.
 */
export interface CountTable {
  from: Int32Array;
  to: Int32Array;
  value: Float64Array;
  size: number;
}

function newTable(slots: number): CountTable {
  return {
    from: new Int32Array(slots).fill(EMPTY),
    to: new Int32Array(slots),
    value: new Float64Array(slots),
    size: 0,
  };
}

function hash(from: number, to: number): number {
  const h = Math.imul(from, 0x9e3779b1) ^ Math.imul(to ^ 0x5bd1e995, 0x85ebca77);
  return h ^ (h >>> 15);
}

/** The slot of (from, to), claimed (value 0) if absent; the table must have room for it. */
function slotOf(t: CountTable, from: number, to: number): number {
  const mask = t.from.length - 1;
  let i = hash(from, to) & mask;
  for (;;) {
    const f = t.from[i] as number;
    if (f === from && t.to[i] === to) return i;
    if (f === EMPTY) {
      t.from[i] = from;
      t.to[i] = to;
      t.value[i] = 0;
      t.size++;
      return i;
    }
    i = (i + 1) & mask;
  }
}

/** A table holding the entries of `t` for which `keep(value)` holds, with room for `need` entries. */
function rebuilt(t: CountTable, need: number, keep?: (value: number) => boolean): CountTable {
  let slots = 64;
  while (slots < 2 * need) slots *= 2;
  const out = newTable(slots);
  for (let i = 0; i < t.from.length; i++) {
    const f = t.from[i] as number;
    if (f === EMPTY) continue;
    const c = t.value[i] as number;
    if (keep && !keep(c)) continue;
    out.value[slotOf(out, f, t.to[i] as number)] = c;
  }
  return out;
}

function pairKey(from: number, to: number): number {
  return (from + SPAN / 2) * (SPAN + 1) + (to === TOTAL ? SPAN : to + SPAN / 2);
}

/** Plain-JSON form (the counts as [packed (from, to) pair, count] entries) for snapshots. */
export function contextToJson(s: ContextState): unknown {
  const counts: [number, number][] = [];
  const t = s.counts;
  for (let i = 0; i < t.from.length; i++) {
    const f = t.from[i] as number;
    if (f !== EMPTY) counts.push([pairKey(f, t.to[i] as number), t.value[i] as number]);
  }
  // In key order: the slots' order depends on the table's history, a snapshot must not.
  counts.sort((a, b) => a[0] - b[0]);
  return { ...s, warm: [...s.warm], counts };
}

/** An independent copy (the count table's arrays copied as they are, slot for slot). */
export function contextClone(s: ContextState): ContextState {
  const t = s.counts;
  return {
    ...s,
    warm: s.warm.slice(),
    counts: { from: t.from.slice(), to: t.to.slice(), value: t.value.slice(), size: t.size },
  };
}

export function contextFromJson(j: unknown): ContextState {
  const o = j as Omit<ContextState, "counts"> & { counts: [number, number | null][] };
  let slots = 64;
  while (slots < 2 * (o.counts.length + 2)) slots *= 2;
  const counts = newTable(slots);
  for (const [key, c] of o.counts) {
    const fromPart = Math.floor(key / (SPAN + 1));
    const toPart = key - fromPart * (SPAN + 1);
    const to = toPart === SPAN ? TOTAL : toPart - SPAN / 2;
    // JSON turns NaN into null; the map read a null count as 0.
    counts.value[slotOf(counts, fromPart - SPAN / 2, to)] = c ?? 0;
  }
  return { ...o, warm: [...o.warm], counts };
}

export function newContextState(): ContextState {
  return { warm: [], width: 0, origin: 0, prev: Number.NaN, counts: newTable(64), age: 0 };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function prune(s: ContextState, o: ContextOptions): void {
  const scale = o.decay ** s.age;
  const keep = (c: number) => !(c * scale < 0.05);
  const t = s.counts;
  let kept = 0;
  for (let i = 0; i < t.from.length; i++) {
    if (t.from[i] !== EMPTY && keep(t.value[i] as number)) kept++;
  }
  if (kept < t.size) s.counts = rebuilt(t, kept + 2, keep);
}

/** Ages rebase at 5000 (below): decay^-age for every age, computed by `**` itself once per decay. */
const MAX_AGE = 5001;
let unitDecay = Number.NaN;
let units = new Float64Array(0);

function unitTable(decay: number): Float64Array {
  if (decay !== unitDecay) {
    units = new Float64Array(MAX_AGE + 1);
    for (let age = 0; age <= MAX_AGE; age++) units[age] = decay ** -age;
    unitDecay = decay;
  }
  return units;
}

/** Collects the first `warmup` values; then fixes the bucket width and origin (true once fixed). */
function warmedUp(s: ContextState, v: number, o: ContextOptions): boolean {
  s.warm.push(v);
  if (s.warm.length < o.warmup) return false;
  const sorted = [...s.warm].sort((a, b) => a - b);
  const spread = quantile(sorted, 0.99) - quantile(sorted, 0.01);
  s.width = spread > 0 ? spread / o.buckets : Math.abs(quantile(sorted, 0.5)) * 0.01 || 1;
  s.origin = quantile(sorted, 0.5);
  s.warm = [];
  return true;
}

/** Returns the novelty of `v` in [0, 1) given the previous value's bucket (0 while warming up). */
export function contextUpdate(s: ContextState, v: number, o = CONTEXT_DEFAULTS): number {
  if (s.width === 0 && !warmedUp(s, v, o)) return 0;
  const bucket = Math.max(-SPAN / 2, Math.min(SPAN / 2 - 1, Math.floor((v - s.origin) / s.width)));
  // Counts are stored divided by decay^age, so forgetting is one multiplication per point.
  s.age++;
  const unit = s.age <= MAX_AGE ? (unitTable(o.decay)[s.age] as number) : o.decay ** -s.age;
  let novelty = 0;
  if (!Number.isNaN(s.prev)) {
    let t = s.counts;
    // Room for two more entries at most half full (so probing always meets an empty slot).
    if (2 * (t.size + 2) > t.from.length) {
      t = rebuilt(t, t.size + 2);
      s.counts = t;
    }
    const key = slotOf(t, s.prev, bucket);
    const from = slotOf(t, s.prev, TOTAL);
    const seen = t.value[key] as number;
    const total = t.value[from] as number;
    novelty = 1 - (seen + unit * 0.01) / (total + unit);
    t.value[key] = seen + unit;
    t.value[from] = total + unit;
  }
  s.prev = bucket;
  if (s.counts.size > o.maxContexts) prune(s, o);
  if (s.age > 5000) rebase(s, o);
  return novelty;
}

/** Divides counts back down so the growing unit never overflows a double. */
function rebase(s: ContextState, o: ContextOptions): void {
  const scale = o.decay ** s.age;
  const t = s.counts;
  for (let i = 0; i < t.from.length; i++) {
    if (t.from[i] !== EMPTY) t.value[i] = (t.value[i] as number) * scale;
  }
  s.age = 0;
}
