/**
 * Small pod helpers shared by the scheduler, the kubelet and the node models: resource
 * requests as the scheduler counts them, tolerations, QoS class and condition upserts.
 */
import { isoTime } from "../../core/clock.ts";
import { milliCores, parseQuantity } from "../quantity.ts";
import type { KubeObject } from "../store/types.ts";

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: container specs are open-ended JSON.
export type ContainerSpec = any;

/** `name_namespace(uid)`, the kubelet's `format.Pod`. */
export function formatPod(pod: KubeObject): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

export function isTerminal(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

function containerRequest(c: ContainerSpec, res: string): number {
  const q = c.resources?.requests?.[res] ?? c.resources?.limits?.[res];
  if (q === undefined) return 0;
  return res === "cpu" ? milliCores(q) : parseQuantity(q);
}

/** Effective request: max(sum of app containers, largest init container) plus overhead (resourcehelper.PodRequests). */
export function podRequest(pod: KubeObject, res: "cpu" | "memory"): number {
  const spec = pod.spec ?? {};
  let sum = 0;
  for (const c of spec.containers ?? []) sum += containerRequest(c, res);
  for (const c of spec.initContainers ?? []) sum = Math.max(sum, containerRequest(c, res));
  const overhead = spec.overhead?.[res];
  if (overhead !== undefined) sum += res === "cpu" ? milliCores(overhead) : parseQuantity(overhead);
  return sum;
}

/** v1helper.TolerationsTolerateTaint semantics. */
export function tolerates(
  tolerations: Toleration[] | undefined,
  taint: Taint,
): Toleration | undefined {
  return (tolerations ?? []).find((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

export function qosClass(pod: KubeObject): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers: ContainerSpec[] = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []),
  ];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ["cpu", "memory"]) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || parseQuantity(q) !== parseQuantity(l)) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** Insert or update a condition, moving lastTransitionTime only when the status changes. */
export function setCondition(conditions: Condition[], next: Condition, now: number): Condition[] {
  const out = conditions.filter((c) => c.type !== next.type);
  const old = conditions.find((c) => c.type === next.type);
  const transition = old && old.status === next.status ? old.lastTransitionTime : isoTime(now);
  const merged: Condition = { ...next, lastTransitionTime: transition };
  const idx = conditions.findIndex((c) => c.type === next.type);
  if (idx < 0) return [...out, merged];
  out.splice(idx, 0, merged);
  return out;
}

export function getCondition(obj: KubeObject, type: string): Condition | undefined {
  return ((obj.status?.conditions ?? []) as Condition[]).find((c) => c.type === type);
}

export function nodeIsReady(node: KubeObject): boolean {
  return getCondition(node, "Ready")?.status === "True";
}
