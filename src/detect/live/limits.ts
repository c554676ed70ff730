/**
 * Trend-to-limit over the live stream: container memory against its limit (→ OOM ETA) and each
 * node filesystem against the kubelet's DiskPressure threshold (→ ETA, plus when it is full).
 * Limits are joined from their own series: cAdvisor's container_spec_memory_limit_bytes or
 * kube-state-metrics' kube_pod_container_resource_limits{resource="memory"}, and
 * node_filesystem_size_bytes. Samples are thinned to one per `stepMs` per series so the
 * detector's 30-point window spans minutes whatever the scrape interval.
 */
import { stableId } from "../../core/ids.ts";
import type { Finding } from "../../core/types.ts";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import { type Series, type Trend, TrendToLimitDetector } from "../trend-to-limit.ts";
import { type OwnerResolver, subjectOf } from "./subject.ts";

/** kubelet's default hard eviction threshold `nodefs.available<10%` (kubelet config defaults). */
export const DISK_PRESSURE_FREE = 0.1;

export interface LimitWatchOptions {
  stepMs?: number;
  memoryHorizonMs?: number;
  diskHorizonMs?: number;
  resolve?: OwnerResolver;
}

interface Latest {
  t: number;
  finding?: Finding;
}

export interface LimitState {
  memory: [string, Series][];
  disk: [string, Series][];
  limits: [string, number][];
  fed: [string, number][];
}

const GiB = 2 ** 30;
const containerKey = (l: Record<string, string>) => `${l.namespace}/${l.pod}/${l.container}`;
const fsKey = (l: Record<string, string>) => `${l.node ?? l.instance ?? ""}:${l.mountpoint ?? "/"}`;

export class LimitWatch {
  private readonly memory: TrendToLimitDetector;
  private readonly disk: TrendToLimitDetector;
  private readonly stepMs: number;
  private readonly resolve: OwnerResolver | undefined;
  private readonly limits = new Map<string, number>();
  private readonly fed = new Map<string, number>();
  private readonly latest = new Map<string, Latest>();

  constructor(opts: LimitWatchOptions = {}) {
    this.stepMs = opts.stepMs ?? 30_000;
    this.memory = new TrendToLimitDetector({ horizonMs: opts.memoryHorizonMs ?? 60 * 60_000 });
    this.disk = new TrendToLimitDetector({ horizonMs: opts.diskHorizonMs ?? 24 * 3_600_000 });
    this.resolve = opts.resolve;
  }

  observe(s: Sample): void {
    const l = s.labels;
    if (s.name === "container_spec_memory_limit_bytes" && s.v > 0) {
      this.limits.set(`mem:${containerKey(l)}`, s.v);
    } else if (s.name === "kube_pod_container_resource_limits" && l.resource === "memory") {
      this.limits.set(`mem:${containerKey(l)}`, s.v);
    } else if (s.name === "node_filesystem_size_bytes") {
      this.limits.set(`fs:${fsKey(l)}`, s.v);
    } else if (s.name === "container_memory_working_set_bytes") {
      // cAdvisor also reports the pod cgroup (container="") and the pause container ("POD").
      if (l.container && l.container !== "POD") this.observeMemory(s);
    } else if (s.name === "node_filesystem_avail_bytes") {
      this.observeDisk(s);
    }
  }

  /** Active predictions; several pods of one workload are one finding with the earliest ETA. */
  findings(): Finding[] {
    const byId = new Map<string, Finding>();
    for (const { finding: f } of this.latest.values()) {
      if (!f) continue;
      const prev = byId.get(f.id);
      if (!prev) byId.set(f.id, f);
      else {
        const first = (prev.eta ?? 0) <= (f.eta ?? 0) ? prev : f;
        byId.set(f.id, { ...first, affected: [...prev.affected, ...f.affected] });
      }
    }
    return [...byId.values()];
  }

  /** Drops series not seen since `before` (deleted pods), keeping memory bounded. */
  evict(before: number): void {
    for (const [key, l] of this.latest) {
      if (l.t >= before) continue;
      this.latest.delete(key);
      this.fed.delete(key);
      this.memory.forget(key);
      this.disk.forget(key);
    }
  }

  snapshot(): LimitState {
    return {
      memory: this.memory.snapshot(),
      disk: this.disk.snapshot(),
      limits: [...this.limits],
      fed: [...this.fed],
    };
  }

  restore(state: LimitState): void {
    this.memory.restore(state.memory);
    this.disk.restore(state.disk);
    for (const [k, v] of state.limits) this.limits.set(k, v);
    for (const [k, v] of state.fed) this.fed.set(k, v);
  }

  private due(key: string, t: number): boolean {
    const last = this.fed.get(key);
    if (last !== undefined && t - last < this.stepMs) return false;
    this.fed.set(key, t);
    return true;
  }

  private observeMemory(s: Sample): void {
    const key = containerKey(s.labels);
    const limit = this.limits.get(`mem:${key}`);
    if (!limit || !this.due(key, s.t)) return;
    const { subject, affected } = subjectOf(s.labels, this.resolve);
    const container = s.labels.container ?? "";
    const x = { series: key, subject, affected, container, t: s.t, v: s.v, limit };
    this.latest.set(key, { t: s.t, finding: this.memory.observe(x) });
  }

  private observeDisk(s: Sample): void {
    const key = fsKey(s.labels);
    const size = this.limits.get(`fs:${key}`);
    if (!size || !this.due(key, s.t)) return;
    const threshold = size * (1 - DISK_PRESSURE_FREE);
    const used = size - s.v;
    const trend = this.disk.trend({ series: key, t: s.t, v: used, limit: threshold });
    const finding = trend ? diskFinding(s, key, size, trend) : undefined;
    this.latest.set(key, { t: s.t, finding });
  }
}

function diskFinding(s: Sample, key: string, size: number, trend: Trend): Finding {
  const node = s.labels.node ?? s.labels.instance ?? "";
  const mount = s.labels.mountpoint ?? "/";
  const minutes = Math.max(0, Math.round((trend.eta - s.t) / 60_000));
  const perHour = (trend.slopePerMs * 3_600_000) / GiB;
  // The trend only counts when rising, so slopePerMs > 0 here.
  const fullAt = Math.max(0, (size - trend.level) / trend.slopePerMs);
  const fullMin = Math.max(0, Math.round(fullAt / 60_000));
  const subject = { kind: "Node", name: node };
  return {
    id: stableId(`DiskPressurePredicted/Node/${node}/${mount}`),
    kind: "prediction",
    severity: minutes <= 30 ? "critical" : "warning",
    subject,
    affected: [subject],
    reason: "DiskPressurePredicted",
    rootCause: `filesystem ${mount} on node ${node} fills at ${perHour.toFixed(1)} GiB/h: the kubelet reports DiskPressure (under ${DISK_PRESSURE_FREE * 100}% free) and starts evicting pods in ${minutes} min; full in ${fullMin} min`,
    evidence: [
      {
        type: "samples",
        text: `${((size - trend.level) / GiB).toFixed(1)} GiB free of ${(size / GiB).toFixed(0)} GiB, Mann-Kendall z=${trend.z.toFixed(2)}`,
        data: {
          series: key,
          slopeBytesPerSecond: trend.slopePerMs * 1000,
          used: trend.level,
          size,
        },
      },
    ],
    fix: {
      description:
        "find what is writing to the node's disk (container logs, emptyDir, images) and stop or rotate it; cordon the node if it cannot be freed in time",
      command: `kubectl describe node ${node}`,
    },
    confidence: Number(trend.confidence.toFixed(3)),
    source: "detect/trend-to-limit",
    time: s.t,
    eta: Math.round(trend.eta),
  };
}
