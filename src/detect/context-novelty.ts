/**
 * Context novelty, in the spirit of CAD OSE: values are quantised into buckets whose width is
 * fixed after a warm-up, and the detector counts (previous bucket → bucket) transitions with
 * exponential forgetting. A transition rarely or never seen from this context is novel. Counts
 * live in a map capped at `maxContexts` entries (the least used are dropped), so state is bounded.
 */

export interface ContextState {
  warm: number[];
  width: number;
  origin: number;
  prev: number;
  /** Transition (from, to) → decayed count, and (from, from-total) → decayed total. */
  counts: Map<number, number>;
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

/** Plain-JSON form (the counts map as entries) for snapshots. */
export function contextToJson(s: ContextState): unknown {
  return { ...s, warm: [...s.warm], counts: [...s.counts] };
}

export function contextFromJson(j: unknown): ContextState {
  const o = j as Omit<ContextState, "counts"> & { counts: [number, number][] };
  return { ...o, warm: [...o.warm], counts: new Map(o.counts) };
}

export function newContextState(): ContextState {
  return { warm: [], width: 0, origin: 0, prev: Number.NaN, counts: new Map(), age: 0 };
}

/** Buckets are clamped to ±2^20 so a (from, to) pair packs exactly into one double. */
const SPAN = 2 ** 21;
const TOTAL = SPAN;

function pairKey(from: number, to: number): number {
  return (from + SPAN / 2) * (SPAN + 1) + (to === TOTAL ? SPAN : to + SPAN / 2);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function prune(s: ContextState, o: ContextOptions): void {
  const scale = o.decay ** s.age;
  for (const [k, c] of s.counts) if (c * scale < 0.05) s.counts.delete(k);
}

/** Returns the novelty of `v` in [0, 1) given the previous value's bucket (0 while warming up). */
export function contextUpdate(s: ContextState, v: number, o = CONTEXT_DEFAULTS): number {
  if (s.width === 0) {
    s.warm.push(v);
    if (s.warm.length < o.warmup) return 0;
    const sorted = [...s.warm].sort((a, b) => a - b);
    const spread = quantile(sorted, 0.99) - quantile(sorted, 0.01);
    s.width = spread > 0 ? spread / o.buckets : Math.abs(quantile(sorted, 0.5)) * 0.01 || 1;
    s.origin = quantile(sorted, 0.5);
    s.warm = [];
  }
  const bucket = Math.max(-SPAN / 2, Math.min(SPAN / 2 - 1, Math.floor((v - s.origin) / s.width)));
  // Counts are stored divided by decay^age, so forgetting is one multiplication per point.
  s.age++;
  const unit = o.decay ** -s.age;
  let novelty = 0;
  if (!Number.isNaN(s.prev)) {
    const key = pairKey(s.prev, bucket);
    const from = pairKey(s.prev, TOTAL);
    const seen = s.counts.get(key) ?? 0;
    const total = s.counts.get(from) ?? 0;
    novelty = 1 - (seen + unit * 0.01) / (total + unit);
    s.counts.set(key, seen + unit);
    s.counts.set(from, total + unit);
  }
  s.prev = bucket;
  if (s.counts.size > o.maxContexts) prune(s, o);
  if (s.age > 5000) rebase(s, o);
  return novelty;
}

/** Divides counts back down so the growing unit never overflows a double. */
function rebase(s: ContextState, o: ContextOptions): void {
  const scale = o.decay ** s.age;
  for (const [k, c] of s.counts) s.counts.set(k, c * scale);
  s.age = 0;
}
