/**
 * A workload's request rate and per-replica capacity from metric samples: the rate of
 * `http_requests_total` summed over the workload's pods, bucketed to a fixed step (hourly for
 * forecasting), and capacity samples pairing that rate with the replicas serving it, their
 * CPU utilisation (`container_cpu_usage_seconds_total` rate over the CPU request) and their mean
 * request latency (`http_request_duration_seconds` _sum over _count).
 */

import { OpsloopError } from "../core/errors.ts";
import type { ObjectRef } from "../core/types.ts";
import { owningWorkload } from "../diagnose/owners.ts";
import { parseQuantity } from "../sim/quantity.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";
import type { CapacitySample } from "./scaling-plan.ts";
import type { UsageSample } from "./usage-collect.ts";

export interface WorkloadTraffic {
  /** Bucket starts, ms. */
  times: number[];
  /** Mean requests per second of each bucket. */
  rps: number[];
  capacity: CapacitySample[];
  /** CPU request per pod in millicores (first container) and memory request in bytes. */
  podRequests: { cpuMilli: number; memoryBytes: number };
  replicas: number;
}

interface Bucket {
  requests: number;
  cpuSeconds: number;
  seconds: number;
  pods: Set<string>;
  /** Increase of the request-duration histogram's _sum (seconds) and _count. */
  durationSum: number;
  durationCount: number;
}

const COUNTERS = new Set([
  "http_requests_total",
  "container_cpu_usage_seconds_total",
  "http_request_duration_seconds_sum",
  "http_request_duration_seconds_count",
]);

export function workloadTraffic(
  samples: Iterable<UsageSample>,
  snap: ClusterSnapshot,
  workload: ObjectRef,
  stepMs = 3_600_000,
): WorkloadTraffic {
  const pods = snap.pods.filter((p) => {
    const ref = owningWorkload(snap, p.metadata);
    return (
      ref.kind === workload.kind &&
      ref.name === workload.name &&
      ref.namespace === workload.namespace
    );
  });
  if (!pods.length) {
    throw new OpsloopError(
      "not_found",
      `no pods of ${workload.kind} ${workload.namespace}/${workload.name}`,
    );
  }
  const names = new Set(pods.map((p) => p.metadata?.name ?? ""));
  const c0 = pods[0]?.spec?.containers[0];
  const cpuRequest = parseQuantity(c0?.resources?.requests?.cpu ?? "0");
  const podRequests = {
    cpuMilli: cpuRequest * 1000,
    memoryBytes: parseQuantity(c0?.resources?.requests?.memory ?? "0"),
  };
  const last = new Map<string, { t: number; v: number }>();
  const buckets = new Map<number, Bucket>();
  for (const s of samples) {
    if (s.labels.namespace !== workload.namespace || !names.has(s.labels.pod ?? "")) continue;
    if (!COUNTERS.has(s.name)) continue;
    const id = `${s.name}|${JSON.stringify(s.labels)}`;
    const prev = last.get(id);
    last.set(id, { t: s.t, v: s.v });
    if (!prev || s.t <= prev.t || s.v < prev.v) continue;
    const start = Math.floor(s.t / stepMs) * stepMs;
    const b = buckets.get(start) ?? {
      requests: 0,
      cpuSeconds: 0,
      seconds: 0,
      pods: new Set(),
      durationSum: 0,
      durationCount: 0,
    };
    const inc = s.v - prev.v;
    if (s.name === "http_requests_total") b.requests += inc;
    else if (s.name === "http_request_duration_seconds_sum") b.durationSum += inc;
    else if (s.name === "http_request_duration_seconds_count") b.durationCount += inc;
    else {
      b.cpuSeconds += inc;
      b.seconds += (s.t - prev.t) / 1000;
      b.pods.add(s.labels.pod as string);
    }
    buckets.set(start, b);
  }
  const times = [...buckets.keys()].sort((a, b) => a - b);
  const rps: number[] = [];
  const capacity: CapacitySample[] = [];
  for (const t of times) {
    const b = buckets.get(t) as Bucket;
    const perPodSeconds = b.pods.size ? b.seconds / b.pods.size : stepMs / 1000;
    const rate = b.requests / perPodSeconds;
    rps.push(rate);
    if (cpuRequest > 0 && b.seconds > 0)
      capacity.push({
        rps: rate,
        replicas: b.pods.size,
        utilization: b.cpuSeconds / b.seconds / cpuRequest,
        ...(b.durationCount > 0 ? { latencyMs: (1000 * b.durationSum) / b.durationCount } : {}),
      });
  }
  return { times, rps, capacity, podRequests, replicas: pods.length };
}
