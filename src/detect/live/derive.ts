/**
 * Turns raw samples into the series worth scoring. A counter's raw value only ever grows, so
 * it is scored as a per-second rate (a drop means the counter restarted: that step is skipped); a histogram's `_sum`/`_count` pair becomes the mean observation over the
 * step (mean latency); buckets, target health and static metadata are not scored.
 */
import type { Sample } from "../../sources/prometheus/scrape.ts";
import { seriesKey } from "../../sources/samples/sample-stream.ts";

export interface DerivedPoint {
  /** Identity of the derived series. */
  key: string;
  /** What a person reads: `rate(http_requests_total)`, `mean(http_request_duration_seconds)`. */
  metric: string;
  labels: Record<string, string>;
  t: number;
  v: number;
}

export interface DeriveOptions {
  /** Metric names never scored (regex); default skips health, metadata and constant sizes. */
  exclude?: RegExp;
  /** Only these metric names are scored when given. */
  include?: RegExp;
}

export const DEFAULT_EXCLUDE =
  /^(up|scrape_.*|.*_bucket|.*_info|.*_created|kube_.*|container_spec_.*|node_filesystem_size_bytes|.*_limit_bytes)$/;

interface Last {
  t: number;
  v: number;
}

/** Stateful: remembers the previous value of every counter (bounded by the stream's series). */
export class Deriver {
  private readonly last = new Map<string, Last>();
  private readonly pendingSum = new Map<string, { t: number; dSum: number }>();
  private readonly exclude: RegExp;
  private readonly include: RegExp | undefined;

  constructor(opts: DeriveOptions = {}) {
    this.exclude = opts.exclude ?? DEFAULT_EXCLUDE;
    this.include = opts.include;
  }

  derive(s: Sample, out: DerivedPoint[]): void {
    if (!Number.isFinite(s.v) || this.exclude.test(s.name)) return;
    if (this.include && !this.include.test(s.name)) return;
    if (s.name.endsWith("_total")) {
      const r = this.delta(s);
      if (r) out.push(point(`rate(${s.name})`, s, r.t, r.d / r.dtSeconds));
    } else if (s.name.endsWith("_sum")) {
      const r = this.delta(s);
      // Held until the matching _count of the same step arrives.
      if (r)
        this.pendingSum.set(seriesKey(s.name, identityLabels(s.labels)), { t: r.t, dSum: r.d });
    } else if (s.name.endsWith("_count")) {
      const r = this.delta(s);
      const base = s.name.slice(0, -"_count".length);
      const sum = this.pendingSum.get(seriesKey(`${base}_sum`, identityLabels(s.labels)));
      if (r && sum && sum.t === r.t && r.d > 0) {
        out.push(point(`mean(${base})`, s, r.t, sum.dSum / r.d));
      }
    } else {
      out.push(point(s.name, s, s.t, s.v));
    }
  }

  /** Forgets counters not updated since `before` (deleted pods), keeping memory bounded. */
  evict(before: number): void {
    for (const [k, l] of this.last) if (l.t < before) this.last.delete(k);
    for (const [k, p] of this.pendingSum) if (p.t < before) this.pendingSum.delete(k);
  }

  snapshot(): [string, Last][] {
    return [...this.last];
  }

  restore(entries: [string, Last][]): void {
    this.last.clear();
    for (const [k, v] of entries) this.last.set(k, v);
  }

  private delta(s: Sample): { t: number; d: number; dtSeconds: number } | undefined {
    const key = seriesKey(s.name, identityLabels(s.labels));
    const prev = this.last.get(key);
    if (prev && s.t <= prev.t) return undefined;
    this.last.set(key, { t: s.t, v: s.v });
    // A counter that went down was reset (a process restart) at an unknown moment of the
    // interval, so this step's rate is unknowable: v/dt (Prometheus' extrapolation) would read
    // as a sudden drop in traffic. The next step has a clean rate again.
    if (!prev || s.v < prev.v) return undefined;
    return { t: s.t, d: s.v - prev.v, dtSeconds: (s.t - prev.t) / 1000 };
  }
}

/**
 * Labels that describe where a series was collected rather than which series it is: the scrape
 * job and instance (a PromQL backfill has them, a direct scrape does not), and cAdvisor's image
 * and node on pod series. Dropped from the identity so history from one source continues the
 * live series of another.
 */
const POD_ATTRIBUTES = [
  "job",
  "instance",
  "image",
  "node",
  "id",
  "name",
  "uid",
  "endpoint",
  "service",
];
const NODE_ATTRIBUTES = ["job", "instance"];

export function identityLabels(labels: Record<string, string>): Record<string, string> {
  const drop = labels.pod ? POD_ATTRIBUTES : labels.node ? NODE_ATTRIBUTES : [];
  if (!drop.some((k) => k in labels)) return labels;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!drop.includes(k)) out[k] = v;
  return out;
}

function point(metric: string, s: Sample, t: number, v: number): DerivedPoint {
  const labels = identityLabels(s.labels);
  return { key: seriesKey(metric, labels), metric, labels, t, v };
}
