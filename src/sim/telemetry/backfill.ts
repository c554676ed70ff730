/**
 * History before the simulation starts. The traffic model is a function of time, so N days of
 * application and node series are computed directly (no tick-by-tick simulation): the healthy
 * baseline of each workload now in the cluster (faults start at the scenario's start) and each
 * node's hardware at its baseline. Output is an iterator of samples for opsloop's detectors, or
 * OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`. Call it once the
 * scenario's pods are scheduled (e.g. after `cluster.step(30_000)`): history is per pod.
 */
import { seededRandom } from "../../core/ids.ts";
import { nodeBehaviour, trafficRate } from "../behaviour.ts";
import type { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { workloadKey } from "./app-model.ts";
import { formatLabels, formatValue } from "./exposition.ts";
import { nodeSignals } from "./node-model.ts";
import { behaviourOf } from "./usage.ts";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  /** ms since epoch */
  t: number;
  v: number;
}

export interface BackfillOptions {
  days: number;
  stepSeconds: number;
  /** End of the history (exclusive); default the cluster's current simulated time. */
  end?: number;
  seed?: number;
}

const MI = 2 ** 20;

/** One series of the history: `next(t)` gives its value at t (counters keep their total). */
interface SeriesGen {
  name: string;
  labels: Record<string, string>;
  next(t: number): number;
}

/** Samples ordered by time step, then series. */
export function* backfillSamples(cluster: SimCluster, opts: BackfillOptions): Generator<Sample> {
  const end = opts.end ?? cluster.clock.now();
  const stepMs = opts.stepSeconds * 1000;
  const start = end - opts.days * 86_400_000;
  const random = seededRandom(opts.seed ?? 0xbac4f111);
  const gauss = () =>
    Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
  const pods = cluster.store.list("pods").filter((p) => p.spec?.nodeName);
  const replicas = new Map<string, number>();
  for (const p of pods) replicas.set(workloadKey(p), (replicas.get(workloadKey(p)) ?? 0) + 1);
  const series: SeriesGen[] = [];
  for (const pod of pods) {
    series.push(...podSeries(pod, opts.stepSeconds, replicas.get(workloadKey(pod)) ?? 1, gauss));
  }
  for (const node of cluster.store.list("nodes"))
    series.push(...nodeSeries(node, end, opts.stepSeconds));
  for (let t = start; t < end; t += stepMs) {
    for (const s of series) yield { name: s.name, labels: s.labels, t, v: s.next(t) };
  }
}

function podSeries(
  pod: KubeObject,
  dt: number,
  replicas: number,
  gauss: () => number,
): SeriesGen[] {
  const b = behaviourOf(pod);
  const ns = pod.metadata.namespace as string;
  const name = pod.metadata.name as string;
  const container =
    (pod.spec?.containers as Array<{ name: string }> | undefined)?.[0]?.name ?? name;
  const cl = { namespace: ns, pod: name, container };
  // The rate is shared by the series of one step: computed once per t by the first of them.
  let rpsAt = Number.NaN;
  let rps = 0;
  const rate = (t: number) => {
    if (t !== rpsAt) {
      rpsAt = t;
      rps = Math.max(0, (trafficRate(b.traffic, t) * (1 + b.traffic.noise * gauss())) / replicas);
    }
    return rps;
  };
  let cpu = 0;
  const out: SeriesGen[] = [
    {
      // History is the healthy baseline: leaks start with the scenario, so memory is the base.
      name: "container_memory_working_set_bytes",
      labels: cl,
      next: () => Math.round(b.memory.baseMi * MI * (1 + 0.01 * gauss())),
    },
    {
      name: "container_cpu_usage_seconds_total",
      labels: cl,
      next: (t) => {
        cpu += ((b.cpu.baseMilli + b.cpu.perRequestMilli * rate(t)) / 1000) * dt;
        return cpu;
      },
    },
  ];
  if (b.traffic.rps === 0) return out;
  let ok = 0;
  let failed = 0;
  out.push({
    name: "http_requests_total",
    labels: { namespace: ns, pod: name, code: "200" },
    next: (t) => {
      ok += rate(t) * dt * (1 - b.errorRate);
      return Math.floor(ok);
    },
  });
  if (b.errorRate > 0) {
    out.push({
      name: "http_requests_total",
      labels: { namespace: ns, pod: name, code: "500" },
      next: (t) => {
        failed += rate(t) * dt * b.errorRate;
        return Math.floor(failed);
      },
    });
  }
  out.push({
    name: "http_request_duration_seconds_p50",
    labels: { namespace: ns, pod: name },
    next: () => (b.latency.p50Ms / 1000) * (1 + 0.05 * gauss()),
  });
  return out;
}

function nodeSeries(node: KubeObject, end: number, dt: number): SeriesGen[] {
  // Behaviour changes take effect at the start, so history shows each node's baseline.
  const sig = nodeSignals(nodeBehaviour(node.metadata.annotations), end, end);
  const n = { node: node.metadata.name as string };
  let ecc = 0;
  return [
    {
      name: "node_filesystem_avail_bytes",
      // The same labels as the live /metrics (metrics.ts), so history continues the live series.
      labels: { ...n, device: "/dev/nvme0n1p1", fstype: "ext4", mountpoint: "/" },
      next: () => sig.fsAvailBytes,
    },
    {
      name: "node_disk_read_latency_seconds",
      labels: { ...n, device: "nvme0n1" },
      next: () => sig.diskLatencyMs / 1000,
    },
    {
      name: "node_hwmon_temp_celsius",
      labels: { ...n, chip: "platform_coretemp_0", sensor: "temp1" },
      next: () => sig.temperatureC,
    },
    {
      name: "node_edac_correctable_errors_total",
      labels: { ...n, controller: "0" },
      next: () => {
        ecc += (sig.eccErrorsPerHour / 3600) * dt;
        return Math.floor(ecc);
      },
    },
  ];
}

const COUNTERS = new Set([
  "container_cpu_usage_seconds_total",
  "http_requests_total",
  "node_edac_correctable_errors_total",
]);

/**
 * OpenMetrics 1.0 text: samples grouped by family and series (a family's samples must be
 * contiguous), timestamps in seconds, counters declared without their `_total` suffix, `# EOF`.
 */
export function backfillOpenMetrics(cluster: SimCluster, opts: BackfillOptions): string {
  // Keyed by the labels object, which each series generator reuses for all its samples.
  const families = new Map<string, Map<Record<string, string>, string[]>>();
  for (const s of backfillSamples(cluster, opts)) {
    let fam = families.get(s.name);
    if (!fam) {
      fam = new Map();
      families.set(s.name, fam);
    }
    let lines = fam.get(s.labels);
    if (!lines) {
      lines = [`${s.name}${formatLabels(s.labels)} `];
      fam.set(s.labels, lines);
    }
    lines.push(`${lines[0]}${formatValue(s.v)} ${s.t / 1000}`);
  }
  const out: string[] = [];
  for (const [name, series] of families) {
    const counter = COUNTERS.has(name);
    out.push(
      `# TYPE ${counter ? name.replace(/_total$/, "") : name} ${counter ? "counter" : "gauge"}`,
    );
    for (const lines of series.values()) out.push(...lines.slice(1));
  }
  out.push("# EOF");
  return `${out.join("\n")}\n`;
}
