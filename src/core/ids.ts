import { createHash, randomUUID } from "node:crypto";

export function newId(): string {
  return randomUUID();
}

/** A short stable id from some text (sha256, hex). */
export function stableId(text: string, length = 16): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Deterministic pseudo-random numbers (mulberry32), for simulations that must replay. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
