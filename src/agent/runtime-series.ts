/**
 * Recent container memory series for the dashboard's charts: a bounded ring per container with,
 * for each point, the baseline band (exponentially weighted mean ± 2σ), the anomaly score of the
 * streaming ensemble detector, and a forecast line (Theil–Sen trend of the recent window
 * projected to the memory limit), the same trend the OOM prediction is based on.
 */
import { EnsembleDetector } from "../detect/ensemble.ts";
import { type EwStats, ewUpdate, newEwStats } from "../detect/streaming.ts";
import { fitTrend } from "../detect/trend-to-limit.ts";
import type { Sample } from "../sources/prometheus/scrape.ts";

export interface SeriesPoint {
  t: number;
  v: number;
  lower: number;
  upper: number;
  score: number;
}

export interface SeriesView {
  id: string;
  metric: string;
  labels: { namespace: string; pod: string; container: string };
  limit?: number;
  points: SeriesPoint[];
  /** Projected points (t, v) from the last sample to the limit or the horizon. */
  forecast: { t: number; v: number }[];
  /** Times whose score reached the anomaly threshold. */
  anomalies: { t: number; v: number; score: number }[];
}

export interface SeriesSummary {
  id: string;
  labels: SeriesView["labels"];
  limit?: number;
  last: { t: number; v: number };
  points: number;
  anomalies: number;
  /** When the forecast line meets the limit, if it does within the horizon. */
  reachesLimitAt?: number;
}

interface Ring {
  labels: SeriesView["labels"];
  limit?: number;
  points: SeriesPoint[];
  stats: EwStats;
  detector: EnsembleDetector;
  lastSeen: number;
}

export interface SeriesBufferOptions {
  /** Points kept per series. */
  capacity?: number;
  /** Series kept at most (the most recently updated win). */
  maxSeries?: number;
  /** A score at or above this is drawn as an anomaly marker. */
  anomalyAt?: number;
  /** How far ahead the forecast line is drawn, in ms. */
  horizonMs?: number;
  /** A series not scraped for this long (its pod is gone) is dropped. */
  staleMs?: number;
}

const METRIC = "container_memory_working_set_bytes";
const TREND_WINDOW = 30;

export class SeriesBuffer {
  private readonly rings = new Map<string, Ring>();
  private readonly capacity: number;
  private readonly maxSeries: number;
  private readonly anomalyAt: number;
  private readonly horizonMs: number;
  private readonly staleMs: number;

  constructor(opts: SeriesBufferOptions = {}) {
    this.capacity = opts.capacity ?? 600;
    this.maxSeries = opts.maxSeries ?? 200;
    // 0.5 is where the ensemble detector starts explaining a score: its own "notable".
    this.anomalyAt = opts.anomalyAt ?? 0.5;
    this.horizonMs = opts.horizonMs ?? 30 * 60_000;
    this.staleMs = opts.staleMs ?? 10 * 60_000;
  }

  /**
   * Adds one scrape's samples (container memory working set and the memory limits). Series
   * already kept are updated first; a new series then takes a free place or the place of the
   * series updated least recently, if that one is older than its sample. On a cluster with more
   * containers than `maxSeries`, the series of one scrape tie: the kept ones stay (each new one
   * displacing a kept one meant every series restarted from one point, and a new detector, every
   * scrape).
   */
  add(samples: Sample[]): void {
    const limits = new Map<string, number>();
    for (const s of samples)
      if (s.name === "kube_pod_container_resource_limits" && s.labels.resource === "memory")
        limits.set(idOf(s.labels), s.v);
    const fresh: Sample[] = [];
    for (const s of samples) {
      // cAdvisor also reports the pod cgroup (container="") and the pause container ("POD").
      if (s.name !== METRIC || !s.labels.container || s.labels.container === "POD") continue;
      const id = idOf(s.labels);
      const ring = this.rings.get(id);
      if (ring) this.push(ring, s, limits.get(id));
      else fresh.push(s);
    }
    if (fresh.length) {
      const lru = [...this.rings.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen);
      let next = 0;
      for (const s of fresh) {
        const id = idOf(s.labels);
        let ring = this.rings.get(id);
        if (!ring) {
          if (this.rings.size >= this.maxSeries) {
            const victim = lru[next];
            if (!victim || victim[1].lastSeen >= s.t) continue;
            this.rings.delete(victim[0]);
            next++;
          }
          ring = this.newRing(s);
          this.rings.set(id, ring);
        }
        this.push(ring, s, limits.get(id));
      }
    }
    this.evict();
  }

  private newRing(s: Sample): Ring {
    return {
      labels: {
        namespace: s.labels.namespace ?? "",
        pod: s.labels.pod ?? "",
        container: s.labels.container ?? "",
      },
      points: [],
      stats: newEwStats(),
      detector: new EnsembleDetector(),
      lastSeen: s.t,
    };
  }

  private push(ring: Ring, s: Sample, limit: number | undefined): void {
    const last = ring.points[ring.points.length - 1];
    if (last && s.t <= last.t) return;
    // The band is the expectation before this point is seen, so a jump falls outside it.
    const sd = Math.sqrt(ring.stats.variance);
    const mean = ring.stats.n ? ring.stats.mean : s.v;
    const score = ring.detector.update(s.t, s.v).score;
    ewUpdate(ring.stats, s.v, 0.05);
    ring.points.push({ t: s.t, v: s.v, lower: mean - 2 * sd, upper: mean + 2 * sd, score });
    if (ring.points.length > this.capacity) ring.points.shift();
    ring.limit = limit;
    ring.lastSeen = s.t;
  }

  private evict(): void {
    const newest = Math.max(...[...this.rings.values()].map((r) => r.lastSeen));
    for (const [id, r] of this.rings) if (newest - r.lastSeen > this.staleMs) this.rings.delete(id);
    if (this.rings.size <= this.maxSeries) return;
    const oldest = [...this.rings.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    for (const [id] of oldest.slice(0, this.rings.size - this.maxSeries)) this.rings.delete(id);
  }

  ids(): string[] {
    return [...this.rings.keys()].sort();
  }

  list(filter: { namespace?: string } = {}): SeriesView[] {
    return this.ids()
      .map((id) => this.get(id))
      .filter((v): v is SeriesView => !!v)
      .filter((v) => !filter.namespace || v.labels.namespace === filter.namespace);
  }

  /** One line per series, for choosing what to chart without shipping every point. */
  summaries(filter: { namespace?: string } = {}): SeriesSummary[] {
    const out: SeriesSummary[] = [];
    for (const id of this.ids()) {
      const ring = this.rings.get(id);
      const last = ring?.points[ring.points.length - 1];
      if (!ring || !last || (filter.namespace && ring.labels.namespace !== filter.namespace))
        continue;
      const fc = this.forecast(ring);
      const end = fc[fc.length - 1];
      out.push({
        id,
        labels: ring.labels,
        limit: ring.limit,
        last: { t: last.t, v: last.v },
        points: ring.points.length,
        anomalies: ring.points.filter((p) => p.score >= this.anomalyAt).length,
        reachesLimitAt:
          end && ring.limit !== undefined && end.v >= ring.limit * 0.999 ? end.t : undefined,
      });
    }
    return out;
  }

  get(id: string): SeriesView | undefined {
    const ring = this.rings.get(id);
    if (!ring) return undefined;
    return {
      id,
      metric: METRIC,
      labels: ring.labels,
      limit: ring.limit,
      points: [...ring.points],
      forecast: this.forecast(ring),
      anomalies: ring.points
        .filter((p) => p.score >= this.anomalyAt)
        .map((p) => ({ t: p.t, v: p.v, score: p.score })),
    };
  }

  private forecast(ring: Ring): { t: number; v: number }[] {
    const recent = ring.points.slice(-TREND_WINDOW);
    const last = recent[recent.length - 1];
    if (!last || recent.length < 3) return [];
    const trend = fitTrend(
      recent.map((p) => p.t),
      recent.map((p) => p.v),
      ring.limit ?? Number.POSITIVE_INFINITY,
    );
    if (!trend) return [];
    const end = Math.min(
      last.t + this.horizonMs,
      Number.isFinite(trend.eta) ? trend.eta : Infinity,
    );
    const endT = Math.max(end, last.t);
    const at = (t: number) => trend.level + trend.slopePerMs * (t - last.t);
    return [
      { t: last.t, v: trend.level },
      { t: endT, v: at(endT) },
    ];
  }
}

function idOf(l: Record<string, string>): string {
  return `${l.namespace}/${l.pod}/${l.container}`;
}
