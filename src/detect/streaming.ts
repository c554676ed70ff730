/**
 * The streaming detector contract and the small statistics every detector shares. A detector
 * sees one point at a time, never the future, keeps bounded state and can be snapshotted to
 * plain JSON and restored after a restart.
 */

export interface DetectorOutput {
  /** Anomaly score in [0, 1]; 1 is the most anomalous. */
  score: number;
  /** Why, in words a person understands (set when the score is notable). */
  explanation?: string;
}

export interface StreamingDetector {
  /** `t` in epoch milliseconds, `v` the value. Points must arrive in time order. */
  update(t: number, v: number): DetectorOutput;
  /** Plain JSON-able state. */
  snapshot(): unknown;
  restore(state: unknown): void;
}

/** Exponentially weighted mean and variance (West's update), O(1) per point. */
export interface EwStats {
  n: number;
  mean: number;
  variance: number;
}

export function newEwStats(): EwStats {
  return { n: 0, mean: 0, variance: 0 };
}

/** `alpha` floors at 1/n so the first points are averaged evenly rather than over-weighted. */
export function ewUpdate(s: EwStats, x: number, alpha: number): void {
  s.n++;
  const a = Math.max(alpha, 1 / s.n);
  const diff = x - s.mean;
  const incr = a * diff;
  s.mean += incr;
  s.variance = (1 - a) * (s.variance + diff * incr);
}

/** Upper tail of the standard normal, Q(z) = 1 − Φ(z) (Abramowitz–Stegun 7.1.26 via erfc). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}
