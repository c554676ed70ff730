/**
 * History before the simulation starts. The traffic model is a function of time, so N days of
 * application and node series are computed directly (no tick-by-tick simulation): the healthy
 * baseline of each workload now in the cluster (faults start at the scenario's start) and each
 * node's hardware at its baseline. Output is an iterator of samples for opsloop's detectors, or
 * OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`. Call it once the
 * scenario's pods are scheduled (e.g. after `cluster.step(30_000)`): history is per pod.
 */
import { seededRandom } from "../../core/ids.ts";
import { nodeBehaviour } from "../behaviour.ts";
import type { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { AppModel, type RequestProfile } from "./app-model.ts";
import { formatLabels, formatValue } from "./exposition.ts";
import { nodeSignals } from "./node-model.ts";
import { durationSum } from "./telemetry.ts";
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
  const services = cluster.store.list("services");
  // The live request model (rates, queueing, dependencies' latency and timeouts), one per step.
  let modelT = Number.NaN;
  let model = new AppModel(pods, services, start);
  const modelAt = (t: number) => {
    if (t !== modelT) {
      modelT = t;
      model = new AppModel(pods, services, t);
    }
    return model;
  };
  const series: SeriesGen[] = [];
  for (const pod of pods) series.push(...podSeries(pod, opts.stepSeconds, start, modelAt, gauss));
  for (const node of cluster.store.list("nodes"))
    series.push(...nodeSeries(node, end, opts.stepSeconds));
  for (let t = start; t < end; t += stepMs) {
    for (const s of series) yield { name: s.name, labels: s.labels, t, v: s.next(t) };
  }
}

function podSeries(
  pod: KubeObject,
  dt: number,
  start: number,
  modelAt: (t: number) => AppModel,
  gauss: () => number,
): SeriesGen[] {
  const b = behaviourOf(pod);
  const ns = pod.metadata.namespace as string;
  const name = pod.metadata.name as string;
  const container =
    (pod.spec?.containers as Array<{ name: string }> | undefined)?.[0]?.name ?? name;
  const cl = { namespace: ns, pod: name, container };
  // The profile is shared by the series of one step: computed once per t by the first of them.
  let at = Number.NaN;
  let p: RequestProfile = { rps: 0, p50Ms: 0, p99Ms: 0, errors: {} };
  const profile = (t: number) => {
    if (t !== at) {
      at = t;
      p = modelAt(t).profile(pod, gauss());
    }
    return p;
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
        cpu += ((b.cpu.baseMilli + b.cpu.perRequestMilli * profile(t).rps) / 1000) * dt;
        return cpu;
      },
    },
  ];
  if (b.traffic.rps === 0) return out;
  const codes = new Set(["200", ...Object.keys(modelAt(start).profile(pod).errors)]);
  if (b.errorRate > 0) codes.add("500");
  for (const code of [...codes].sort()) {
    let n = 0;
    out.push({
      name: "http_requests_total",
      labels: { namespace: ns, pod: name, code },
      next: (t) => {
        const r = profile(t);
        const failed = Object.values(r.errors).reduce((a, v) => a + v, 0);
        n += r.rps * dt * (code === "200" ? Math.max(0, 1 - failed) : (r.errors[code] ?? 0));
        return Math.floor(n);
      },
    });
  }
  // The histogram's _count and _sum as the live /metrics integrate them (telemetry.ts); the
  // buckets are left out of history (eleven more series per pod, and no consumer reads them).
  const hl = { namespace: ns, pod: name };
  let count = 0;
  let sum = 0;
  out.push(
    {
      name: "http_request_duration_seconds_count",
      labels: hl,
      next: (t) => {
        count += profile(t).rps * dt;
        return Math.floor(count);
      },
    },
    {
      name: "http_request_duration_seconds_sum",
      labels: hl,
      next: (t) => {
        sum += durationSum(profile(t), b.timeoutMs / 1000, dt);
        return sum;
      },
    },
  );
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
/** Families whose points are a `_count` and a `_sum` sample (a summary without quantiles). */
const SUMMARIES = new Set(["http_request_duration_seconds"]);

function familyOf(name: string): { family: string; type: string } {
  if (COUNTERS.has(name)) return { family: name.replace(/_total$/, ""), type: "counter" };
  const base = name.replace(/_(sum|count)$/, "");
  if (base !== name && SUMMARIES.has(base)) return { family: base, type: "summary" };
  return { family: name, type: "gauge" };
}

/**
 * OpenMetrics 1.0 text: samples grouped by family and series (a family's samples must be
 * contiguous; a summary's `_count` and `_sum` of one time stay together), timestamps in seconds,
 * counters declared without their `_total` suffix, `# EOF`.
 */
export function backfillOpenMetrics(cluster: SimCluster, opts: BackfillOptions): string {
  // Series keyed by the labels object, which each generator reuses for all its samples (a
  // summary's `_count` and `_sum` share theirs, so their lines interleave by time).
  const families = new Map<
    string,
    { type: string; series: Map<Record<string, string>, string[]> }
  >();
  // Sample prefixes by name, then by the labels object each series generator reuses.
  const prefixes = new Map<string, WeakMap<Record<string, string>, string>>();
  for (const s of backfillSamples(cluster, opts)) {
    const { family, type } = familyOf(s.name);
    let fam = families.get(family);
    if (!fam) {
      fam = { type, series: new Map() };
      families.set(family, fam);
    }
    let byLabels = prefixes.get(s.name);
    if (!byLabels) {
      byLabels = new WeakMap();
      prefixes.set(s.name, byLabels);
    }
    let prefix = byLabels.get(s.labels);
    if (prefix === undefined) {
      prefix = `${s.name}${formatLabels(s.labels)} `;
      byLabels.set(s.labels, prefix);
    }
    let lines = fam.series.get(s.labels);
    if (!lines) {
      lines = [];
      fam.series.set(s.labels, lines);
    }
    lines.push(`${prefix}${formatValue(s.v)} ${s.t / 1000}`);
  }
  const out: string[] = [];
  for (const [name, fam] of families) {
    out.push(`# TYPE ${name} ${fam.type}`);
    for (const lines of fam.series.values()) out.push(...lines);
  }
  out.push("# EOF");
  return `${out.join("\n")}\n`;
}
