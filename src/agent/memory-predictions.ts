/**
 * Feeds scraped container memory and limits into the trend-to-limit detector. Series are joined
 * on namespace/pod/container, as cAdvisor (container_memory_working_set_bytes) and
 * kube-state-metrics (kube_pod_container_resource_limits{resource="memory"}) label them.
 */
import { isoTime } from "../core/clock.ts";
import type { Finding } from "../core/types.ts";
import type { TrendToLimitDetector } from "../detect/trend-to-limit.ts";
import { owningWorkload } from "../diagnose/owners.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";
import type { Sample } from "../sources/prometheus/scrape.ts";
import { podOf } from "./snapshot-index.ts";

const seriesKey = (l: Record<string, string>) => `${l.namespace}/${l.pod}/${l.container}`;

export function memoryPredictions(
  samples: Sample[],
  snap: ClusterSnapshot,
  detector: TrendToLimitDetector,
): Finding[] {
  const limits = new Map<string, number>();
  for (const s of samples) {
    if (s.name === "kube_pod_container_resource_limits" && s.labels.resource === "memory")
      limits.set(seriesKey(s.labels), s.v);
  }
  const byId = new Map<string, Finding>();
  const seen = new Set<string>();
  for (const s of samples) {
    // cAdvisor also reports the pod cgroup (container="") and the pause container (container="POD").
    if (
      s.name !== "container_memory_working_set_bytes" ||
      !s.labels.container ||
      s.labels.container === "POD"
    )
      continue;
    const key = seriesKey(s.labels);
    const limit = limits.get(key);
    if (!limit) continue;
    const pod = podOf(snap, s.labels.namespace ?? "", s.labels.pod ?? "");
    if (!pod) continue;
    seen.add(key);
    const affected = {
      kind: "Pod",
      namespace: s.labels.namespace,
      name: s.labels.pod ?? "",
      uid: pod.metadata?.uid,
    };
    const f = detector.observe({
      series: key,
      subject: owningWorkload(snap, pod.metadata),
      affected,
      container: s.labels.container,
      t: s.t,
      v: s.v,
      limit,
    });
    if (!f) continue;
    const prev = byId.get(f.id);
    // Several pods of one workload: keep the earliest ETA and list every affected pod.
    if (!prev) byId.set(f.id, f);
    else
      byId.set(f.id, {
        ...((prev.eta ?? 0) <= (f.eta ?? 0) ? prev : f),
        affected: [...prev.affected, ...f.affected],
      });
  }
  for (const key of detector.keys()) if (!seen.has(key)) detector.forget(key);
  return [...byId.values()].map(absoluteEta);
}

/**
 * "reaches its limit in N min" counts down to "in 0 min" while the incident is open, and each
 * scrape rewrote the incident's root cause. An absolute time (to the minute) stays true.
 */
function absoluteEta(f: Finding): Finding {
  if (f.eta === undefined) return f;
  const at = isoTime(Math.round(f.eta / 60_000) * 60_000).replace(/:00Z$/, "Z");
  return { ...f, rootCause: f.rootCause.replace(/ in \d+ min \(OOM\)$/, ` at ${at} (OOM)`) };
}
