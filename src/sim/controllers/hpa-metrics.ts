/**
 * The HPA replica calculator for Resource metrics (pkg/controller/podautoscaler/
 * replica_calculator.go GetResourceReplicas): utilization against container requests, the 0.1
 * tolerance, and pods without metrics counted conservatively against the direction of scaling.
 */
import { milliCores, parseQuantity } from "../quantity.ts";
import type { KubeObject } from "../store/types.ts";
import { cpuMillicores, memoryBytes, podRequestRate } from "../telemetry/usage.ts";
import { isPodReady } from "./util.ts";

export const TOLERANCE = 0.1;

export interface MetricResult {
  replicas: number;
  utilization?: number;
  averageValue: number;
}

function requestOf(pod: KubeObject, resource: string): number {
  let total = 0;
  for (const c of pod.spec?.containers ?? []) {
    const q = c.resources?.requests?.[resource];
    if (q === undefined)
      throw new Error(
        `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`,
      );
    total += resource === "cpu" ? milliCores(q) : parseQuantity(q);
  }
  return total;
}

function usageOf(
  pod: KubeObject,
  resource: string,
  now: number,
  readyPods: number,
): number | undefined {
  if (pod.status?.phase !== "Running") return undefined;
  let total = 0;
  for (const c of pod.spec?.containers ?? []) {
    total +=
      resource === "cpu"
        ? cpuMillicores(pod, c.name, podRequestRate(pod, now, readyPods))
        : memoryBytes(pod, c.name, now);
  }
  return total;
}

/** Returns the recommended replicas for one Resource metric spec, or throws the real error text. */
export function resourceReplicas(
  metric: KubeObject["spec"],
  pods: KubeObject[],
  current: number,
  now: number,
): MetricResult {
  const resource: string = metric.resource?.name ?? "cpu";
  const target = metric.resource?.target ?? {};
  const ready = pods.filter(isPodReady).length;
  const usage = new Map<KubeObject, number>();
  const missing: KubeObject[] = [];
  for (const p of pods) {
    const u = usageOf(p, resource, now, ready);
    // Unready pods are left out for cpu, like the real calculator's ignoredPods.
    if (u === undefined) missing.push(p);
    else if (resource !== "cpu" || isPodReady(p)) usage.set(p, u);
  }
  if (usage.size === 0)
    throw new Error(
      missing.length === pods.length
        ? `unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`
        : "did not receive metrics for targeted pods (pods might be unready)",
    );
  let requests = 0;
  let used = 0;
  for (const [p, u] of usage) {
    requests += requestOf(p, resource);
    used += u;
  }
  for (const p of missing) requestOf(p, resource);
  const averageValue = used / usage.size;
  if (target.type === "AverageValue") {
    const want =
      resource === "cpu" ? milliCores(target.averageValue) : parseQuantity(target.averageValue);
    const ratio = used / (want * current || 1);
    const replicas = Math.abs(ratio - 1) <= TOLERANCE ? current : Math.ceil(used / want);
    return { replicas, averageValue };
  }
  const targetUtil = target.averageUtilization ?? 80;
  const utilization = Math.floor((used * 100) / requests);
  let ratio = utilization / targetUtil;
  if (missing.length === 0) {
    const replicas = Math.abs(ratio - 1) <= TOLERANCE ? current : Math.ceil(ratio * usage.size);
    return { replicas, utilization, averageValue };
  }
  // Missing pods count as using 100% of target when scaling down and 0% when scaling up.
  const scaleUp = ratio > 1;
  const extraUse = scaleUp
    ? 0
    : missing.reduce((n, p) => n + (requestOf(p, resource) * targetUtil) / 100, 0);
  const extraReq = missing.reduce((n, p) => n + requestOf(p, resource), 0);
  ratio = ((used + extraUse) * 100) / (requests + extraReq) / targetUtil;
  if (Math.abs(ratio - 1) <= TOLERANCE || ratio > 1 !== scaleUp)
    return { replicas: current, utilization, averageValue };
  return { replicas: Math.ceil(ratio * (usage.size + missing.length)), utilization, averageValue };
}
