/**
 * Turns metric samples (cAdvisor's `container_cpu_usage_seconds_total` counter and
 * `container_memory_working_set_bytes`) and the cluster's objects into per-container usage for
 * right-sizing. CPU rates come from consecutive counter samples of one series (a counter reset,
 * i.e. a restart, starts a new run rather than producing a negative rate, as PromQL's rate()
 * does). Pods are grouped by their owning workload.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { owningWorkload, refKey } from "../diagnose/owners.ts";
import { parseQuantity } from "../sim/quantity.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";
import type { ContainerUsage } from "./rightsize.ts";

export interface UsageSample {
  name: string;
  labels: Record<string, string>;
  t: number;
  v: number;
}

interface SeriesAcc {
  cpu: number[];
  memory: number[];
  lastCpu?: { t: number; v: number };
  first: number;
  last: number;
}

const key = (ns: string, pod: string, container: string) => `${ns}/${pod}/${container}`;

function accumulate(samples: Iterable<UsageSample>): Map<string, SeriesAcc> {
  const acc = new Map<string, SeriesAcc>();
  for (const s of samples) {
    if (
      s.name !== "container_cpu_usage_seconds_total" &&
      s.name !== "container_memory_working_set_bytes"
    )
      continue;
    const { namespace, pod, container } = s.labels;
    if (!namespace || !pod || !container) continue;
    const k = key(namespace, pod, container);
    const a = acc.get(k) ?? { cpu: [], memory: [], first: s.t, last: s.t };
    a.first = Math.min(a.first, s.t);
    a.last = Math.max(a.last, s.t);
    if (s.name === "container_memory_working_set_bytes") a.memory.push(s.v);
    else {
      const prev = a.lastCpu;
      if (prev && s.t > prev.t && s.v >= prev.v)
        a.cpu.push((s.v - prev.v) / ((s.t - prev.t) / 1000));
      a.lastCpu = { t: s.t, v: s.v };
    }
    acc.set(k, a);
  }
  return acc;
}

function hpaResources(
  snap: ClusterSnapshot,
  ns: string,
  kind: string,
  name: string,
): ("cpu" | "memory")[] {
  const out = new Set<"cpu" | "memory">();
  for (const h of snap.horizontalPodAutoscalers) {
    const ref = h.spec?.scaleTargetRef;
    if (h.metadata?.namespace !== ns || ref?.kind !== kind || ref?.name !== name) continue;
    for (const m of h.spec?.metrics ?? []) {
      const r = m.resource?.name ?? m.containerResource?.name;
      if (r === "cpu" || r === "memory") out.add(r);
    }
  }
  return [...out];
}

function oomLimit(pods: V1Pod[], container: string): number | undefined {
  for (const p of pods) {
    const st = p.status?.containerStatuses?.find((c) => c.name === container);
    if (st?.lastState?.terminated?.reason !== "OOMKilled") continue;
    const limit = p.spec?.containers.find((c) => c.name === container)?.resources?.limits?.memory;
    if (limit) return parseQuantity(limit);
  }
  return undefined;
}

export function collectUsage(
  samples: Iterable<UsageSample>,
  snap: ClusterSnapshot,
): ContainerUsage[] {
  const acc = accumulate(samples);
  const groups = new Map<string, { pods: V1Pod[]; ref: ReturnType<typeof owningWorkload> }>();
  for (const pod of snap.pods) {
    const ref = owningWorkload(snap, pod.metadata);
    const g = groups.get(refKey(ref)) ?? { pods: [], ref };
    g.pods.push(pod);
    groups.set(refKey(ref), g);
  }
  const out: ContainerUsage[] = [];
  for (const { pods, ref } of groups.values()) {
    const ns = ref.namespace ?? "";
    for (const c of pods[0]?.spec?.containers ?? []) {
      const series = pods
        .map((p) => acc.get(key(ns, p.metadata?.name ?? "", c.name)))
        .filter((a): a is SeriesAcc => a !== undefined);
      if (!series.length) continue;
      const req = c.resources?.requests ?? {};
      const lim = c.resources?.limits ?? {};
      out.push({
        namespace: ns,
        workload: { kind: ref.kind, name: ref.name },
        container: c.name,
        replicas: pods.length,
        cpuCores: series.map((s) => s.cpu),
        memoryBytes: series.map((s) => s.memory),
        historyMs: Math.max(...series.map((s) => s.last - s.first)),
        current: {
          cpuRequestMilli: req.cpu ? parseQuantity(req.cpu) * 1000 : undefined,
          cpuLimitMilli: lim.cpu ? parseQuantity(lim.cpu) * 1000 : undefined,
          memoryRequestBytes: req.memory ? parseQuantity(req.memory) : undefined,
          memoryLimitBytes: lim.memory ? parseQuantity(lim.memory) : undefined,
        },
        oomKilledAtLimitBytes: oomLimit(pods, c.name),
        hpaResources: hpaResources(snap, ns, ref.kind, ref.name),
      });
    }
  }
  return out;
}
