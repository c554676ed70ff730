/**
 * Who a series is about, and what kind of anomaly it shows. Pod series are grouped under their
 * workload so ten replicas of one Deployment going wrong together make one finding. Without a
 * cluster snapshot, the workload comes from the pod name the way the controllers build it:
 * Deployment pods are `<deployment>-<pod-template-hash>-<5 chars>` (the hash uses the
 * alphabet "bcdfghjklmnpqrstvwxz2456789", k8s.io/apimachinery/pkg/util/rand SafeEncodeString),
 * StatefulSet pods `<name>-<ordinal>`, DaemonSet and Job pods `<name>-<5 chars>`.
 */
import type { ObjectRef } from "../../core/types.ts";

/** Optional exact resolution from the informers (the agent passes owningWorkload over a snapshot). */
export type OwnerResolver = (namespace: string, pod: string) => ObjectRef | undefined;

const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const STATEFUL_POD = /^(.+)-(\d+)$/;
const GENERATED_POD = new RegExp(`^(.+)-${SAFE}{5}$`);

export function guessWorkload(namespace: string, pod: string): ObjectRef {
  const dep = DEPLOYMENT_POD.exec(pod);
  if (dep?.[1]) return { kind: "Deployment", namespace, name: dep[1] };
  const sts = STATEFUL_POD.exec(pod);
  if (sts?.[1]) return { kind: "StatefulSet", namespace, name: sts[1] };
  const gen = GENERATED_POD.exec(pod);
  // DaemonSet or Job: the name alone cannot tell which, so say "Workload" honestly.
  if (gen?.[1]) return { kind: "Workload", namespace, name: gen[1] };
  return { kind: "Pod", namespace, name: pod };
}

export interface Subject {
  subject: ObjectRef;
  /** The pod or node the series itself comes from. */
  affected: ObjectRef;
}

export function subjectOf(labels: Record<string, string>, resolve?: OwnerResolver): Subject {
  const ns = labels.namespace ?? labels.k8s_namespace_name;
  const pod = labels.pod ?? labels.k8s_pod_name;
  if (ns && pod) {
    const affected = { kind: "Pod", namespace: ns, name: pod };
    return { subject: resolve?.(ns, pod) ?? guessWorkload(ns, pod), affected };
  }
  const node = labels.node ?? labels.instance;
  if (node) {
    const n = { kind: "Node", name: node };
    return { subject: n, affected: n };
  }
  const job = labels.job ?? "unknown";
  const svc = { kind: "Service", ...(ns ? { namespace: ns } : {}), name: job };
  return { subject: svc, affected: svc };
}

/** A short machine-readable reason from the metric's meaning and the direction of the change. */
export function anomalyReason(metric: string, labels: Record<string, string>, up: boolean): string {
  const m = metric.toLowerCase();
  if (/node_(hwmon|edac|disk)/.test(m)) return "HardwareDegradation";
  if (/duration|latency/.test(m)) return up ? "LatencyIncrease" : "LatencyDecrease";
  if (/requests_total/.test(m) && /^5\d\d$/.test(labels.code ?? "")) {
    return up ? "ErrorRateIncrease" : "ErrorRateDecrease";
  }
  if (/requests_total/.test(m)) return up ? "TrafficIncrease" : "TrafficDrop";
  if (/memory/.test(m)) return up ? "MemoryIncrease" : "MemoryDecrease";
  if (/cpu/.test(m)) return up ? "CpuIncrease" : "CpuDecrease";
  return up ? "MetricIncrease" : "MetricDecrease";
}

/** Labels that tell series of one subject apart, in the order a person reads them. */
export function seriesLabel(metric: string, labels: Record<string, string>): string {
  const skip = new Set(["namespace", "pod", "node", "instance", "job", "container", "image"]);
  const rest = Object.entries(labels)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => `${k}="${v}"`);
  return rest.length ? `${metric}{${rest.join(",")}}` : metric;
}

const WORDS: [RegExp, (l: Record<string, string>) => string][] = [
  [
    /^rate\(.*requests_total\)$/,
    (l) => (l.code ? `HTTP ${l.code} responses per second` : "requests per second"),
  ],
  [/^mean\(.*(duration|latency).*\)$/, () => "mean latency"],
  [/^container_memory_working_set_bytes$/, () => "memory working set"],
  [/^rate\(container_cpu_usage_seconds_total\)$/, () => "CPU usage (cores)"],
  [/^node_disk_read_latency_seconds$/, () => "disk read latency"],
  [/^node_hwmon_temp_celsius$/, () => "temperature"],
  [
    /^rate\(node_edac_correctable_errors_total\)$/,
    () => "correctable memory (ECC) errors per second",
  ],
  [/^node_filesystem_avail_bytes$/, () => "free disk space"],
  [/^node_memory_MemAvailable_bytes$/, () => "available memory"],
];

/** The metric in words when it is a well-known one ("HTTP 500 responses per second"). */
export function metricWords(metric: string, labels: Record<string, string>): string | undefined {
  for (const [re, words] of WORDS) if (re.test(metric)) return words(labels);
  return undefined;
}
