/**
 * Trend-to-limit detector: per series, a robust linear trend of a usage that grows toward a
 * hard limit (container memory vs its limit) and the time at which it will reach it.
 *
 * Written by hand (no maintained streaming library does this): Theil–Sen slope (median of
 * pairwise slopes) over a bounded window of the last `window` samples, so the cost per sample
 * is O(window²) — constant — and one GC pause or scrape outlier cannot bend the trend. The trend
 * counts as significant through the Mann–Kendall test on the same pairs (z ≥ minZ); confidence
 * is Φ(z). A sharp drop (the container restarted) starts the series over.
 */
import { stableId } from "../core/ids.ts";
import type { Finding, ObjectRef } from "../core/types.ts";

export interface TrendOptions {
  /** Samples kept per series. */
  window?: number;
  /** Samples needed before anything is predicted. */
  minSamples?: number;
  /** Only predictions reaching the limit within this many ms are raised. */
  horizonMs?: number;
  /** Mann–Kendall z needed (2.33 ≈ one-sided p < 0.01). */
  minZ?: number;
}

export interface LimitSample {
  /** Identity of the series, e.g. namespace/pod/container. */
  series: string;
  /** What the prediction is about (the owning workload) and what is affected (the pod). */
  subject: ObjectRef;
  affected: ObjectRef;
  container: string;
  t: number;
  v: number;
  limit: number;
}

export interface Series {
  ts: number[];
  vs: number[];
}

export interface Trend {
  slopePerMs: number;
  level: number;
  z: number;
  confidence: number;
  eta: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Φ(z) by the Abramowitz–Stegun 26.2.17 approximation (error < 7.5e-8). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p =
    d *
    t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - p : p;
}

/** Theil–Sen slope, Mann–Kendall z and the projected time the line meets `limit`. */
export function fitTrend(ts: number[], vs: number[], limit: number): Trend | undefined {
  const n = ts.length;
  if (n < 3) return undefined;
  const slopes: number[] = [];
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dt = (ts[j] as number) - (ts[i] as number);
      const dv = (vs[j] as number) - (vs[i] as number);
      if (dt > 0) slopes.push(dv / dt);
      s += Math.sign(dv);
    }
  }
  if (!slopes.length) return undefined;
  const slopePerMs = median(slopes);
  const intercept = median(ts.map((t, i) => (vs[i] as number) - slopePerMs * t));
  const tLast = ts[n - 1] as number;
  const level = intercept + slopePerMs * tLast;
  const variance = (n * (n - 1) * (2 * n + 5)) / 18;
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  const eta =
    slopePerMs > 0 ? tLast + Math.max(0, (limit - level) / slopePerMs) : Number.POSITIVE_INFINITY;
  return { slopePerMs, level, z, confidence: normalCdf(z), eta };
}

export class TrendToLimitDetector {
  private readonly series = new Map<string, Series>();
  private readonly window: number;
  private readonly minSamples: number;
  private readonly horizonMs: number;
  private readonly minZ: number;

  constructor(opts: TrendOptions = {}) {
    this.window = opts.window ?? 30;
    this.minSamples = opts.minSamples ?? 10;
    this.horizonMs = opts.horizonMs ?? 60 * 60_000;
    this.minZ = opts.minZ ?? 2.33;
  }

  /** Feeds one sample; returns a prediction Finding while the trend is significant and near. */
  observe(x: LimitSample): Finding | undefined {
    const trend = this.trend(x);
    return trend ? this.finding(x, trend) : undefined;
  }

  /** Feeds one sample; returns the trend while it is significant and reaches the limit in time. */
  trend(x: Omit<LimitSample, "subject" | "affected" | "container">): Trend | undefined {
    const s = this.series.get(x.series) ?? { ts: [], vs: [] };
    this.series.set(x.series, s);
    const last = s.vs[s.vs.length - 1];
    const prevT = s.ts[s.ts.length - 1];
    if (prevT !== undefined && x.t <= prevT) return undefined;
    if (last !== undefined && x.v < last * 0.5) {
      s.ts.length = 0;
      s.vs.length = 0;
    }
    s.ts.push(x.t);
    s.vs.push(x.v);
    if (s.ts.length > this.window) {
      s.ts.shift();
      s.vs.shift();
    }
    if (s.ts.length < this.minSamples || x.limit <= 0) return undefined;
    const trend = fitTrend(s.ts, s.vs, x.limit);
    if (!trend || trend.z < this.minZ || trend.eta - x.t > this.horizonMs) return undefined;
    return trend;
  }

  /** Plain JSON: the windows of every series. */
  snapshot(): [string, Series][] {
    return [...this.series].map(([k, s]) => [k, { ts: [...s.ts], vs: [...s.vs] }]);
  }

  restore(entries: [string, Series][]): void {
    this.series.clear();
    for (const [k, s] of entries) this.series.set(k, { ts: [...s.ts], vs: [...s.vs] });
  }

  keys(): string[] {
    return [...this.series.keys()];
  }

  /** Drops a series that is no longer scraped (a deleted pod), keeping memory bounded. */
  forget(series: string): void {
    this.series.delete(series);
  }

  get size(): number {
    return this.series.size;
  }

  private finding(x: LimitSample, trend: Trend): Finding {
    const minutes = Math.max(0, Math.round((trend.eta - x.t) / 60_000));
    const mibPerMin = (trend.slopePerMs * 60_000) / 2 ** 20;
    const where = `${x.affected.namespace}/${x.affected.name}`;
    return {
      id: stableId(`OOMPredicted/${x.subject.kind}/${x.subject.namespace}/${x.subject.name}`),
      kind: "prediction",
      severity: minutes <= 15 ? "critical" : "warning",
      subject: x.subject,
      affected: [x.affected],
      reason: "OOMPredicted",
      rootCause: `memory of container ${x.container} in pod ${where} grows ${mibPerMin.toFixed(2)} MiB/min and reaches its limit of ${(x.limit / 2 ** 20).toFixed(0)} MiB in ${minutes} min (OOM)`,
      evidence: [
        {
          type: "samples",
          text: `working set ${(trend.level / 2 ** 20).toFixed(1)} MiB of ${(x.limit / 2 ** 20).toFixed(0)} MiB, Mann-Kendall z=${trend.z.toFixed(2)}`,
          data: {
            series: x.series,
            slopeBytesPerSecond: trend.slopePerMs * 1000,
            level: trend.level,
            limit: x.limit,
          },
        },
      ],
      fix: {
        description:
          "restart the workload to release the leaked memory now, then fix the leak or raise the limit",
        command: `kubectl rollout restart ${x.subject.kind.toLowerCase()}/${x.subject.name} -n ${x.subject.namespace}`,
      },
      confidence: Number(trend.confidence.toFixed(3)),
      source: "detect/trend-to-limit",
      time: x.t,
      eta: Math.round(trend.eta),
    };
  }
}
