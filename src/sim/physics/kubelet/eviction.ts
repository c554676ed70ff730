/**
 * The kubelet eviction manager (pkg/kubelet/eviction): hard thresholds memory.available <
 * 100Mi and nodefs.available < 10%. While one is met it evicts one pod per monitoring
 * interval (10 s), memory first. Memory ranks pods using more than they request first, then
 * by usage above request; disk ranks BestEffort, Burstable, Guaranteed, then by usage.
 * Critical pods are never evicted.
 */
import { parseQuantity } from "../../quantity.ts";
import type { KubeObject } from "../../store/types.ts";
import { memoryBytes } from "../../telemetry/usage.ts";
import { type NodeRuntime, nodeFs } from "../node-state.ts";
import {
  diskThresholdMet,
  EVICTION_HARD_MEMORY,
  EVICTION_HARD_NODEFS,
  memoryThresholdMet,
} from "../node-status.ts";
import { type ContainerSpec, isTerminal, qosClass, setCondition } from "../pod-util.ts";
import { buildStatus } from "./pod-status.ts";
import { type KubeletEnv, kubeletSource, type PodRuntime, terminate } from "./runtime.ts";

const INTERVAL_MS = 10_000;
const QOS_RANK = { BestEffort: 0, Burstable: 1, Guaranteed: 2 };

/** A quantity as resource.Quantity prints a BinarySI byte count. */
function quantity(bytes: number): string {
  const b = Math.round(bytes);
  if (b % 2 ** 30 === 0) return `${b / 2 ** 30}Gi`;
  if (b % 2 ** 20 === 0) return `${b / 2 ** 20}Mi`;
  return `${Math.round(b / 1024)}Ki`;
}

function isCritical(pod: KubeObject): boolean {
  const pc = pod.spec?.priorityClassName;
  return pc === "system-node-critical" || pc === "system-cluster-critical";
}

function containers(pod: KubeObject): ContainerSpec[] {
  return pod.spec?.containers ?? [];
}

function usage(pod: KubeObject, now: number): number {
  return containers(pod).reduce((sum, c) => sum + memoryBytes(pod, c.name, now), 0);
}

function memRequest(c: ContainerSpec): number {
  return parseQuantity(c.resources?.requests?.memory ?? "0");
}

function aboveRequest(pod: KubeObject, now: number): number {
  return containers(pod).reduce((sum, c) => sum + memoryBytes(pod, c.name, now) - memRequest(c), 0);
}

/** memory.available: capacity less the system's share (5%) and every running container's working set. */
export function measureMemory(node: KubeObject, pods: KubeObject[], now: number): number {
  const capacity = parseQuantity(node.status?.capacity?.memory ?? "0");
  const used = pods.filter((p) => !isTerminal(p)).reduce((sum, p) => sum + usage(p, now), 0);
  return capacity * 0.95 - used;
}

/** The eviction manager's monitoring interval has come round and the node is under pressure. */
export function evictionDue(rt: NodeRuntime, now: number): boolean {
  return (
    now - rt.lastEvictionCheck >= INTERVAL_MS &&
    (memoryThresholdMet(rt) || diskThresholdMet(rt, now))
  );
}

export function evictionMessage(
  rt: NodeRuntime,
  now: number,
  resource: "memory" | "ephemeral-storage",
  pod?: KubeObject,
): string {
  if (resource === "ephemeral-storage") {
    const fs = nodeFs(rt, now);
    const threshold = Math.floor(fs.capacity * EVICTION_HARD_NODEFS);
    return `The node was low on resource: ephemeral-storage. Threshold quantity: ${quantity(threshold)}, available: ${quantity(Math.max(0, fs.available))}. `;
  }
  let msg = `The node was low on resource: memory. Threshold quantity: ${quantity(EVICTION_HARD_MEMORY)}, available: ${quantity(Math.max(0, rt.memoryAvailable ?? 0))}. `;
  for (const c of pod ? containers(pod) : []) {
    const used = memoryBytes(pod as KubeObject, c.name, now);
    if (used <= memRequest(c)) continue;
    const req = c.resources?.requests?.memory ?? "0";
    msg += `Container ${c.name} was using ${quantity(used)}, request is ${req}, has larger consumption of memory. `;
  }
  return msg;
}

function pickVictim(pods: KubeObject[], resource: string, now: number): KubeObject | undefined {
  const candidates = pods.filter(
    (p) => !isTerminal(p) && !p.metadata.deletionTimestamp && !isCritical(p),
  );
  if (resource === "memory") {
    const exceeds = (p: KubeObject) => (aboveRequest(p, now) > 0 ? 0 : 1);
    candidates.sort(
      (a, b) => exceeds(a) - exceeds(b) || aboveRequest(b, now) - aboveRequest(a, now),
    );
  } else {
    candidates.sort(
      (a, b) => QOS_RANK[qosClass(a)] - QOS_RANK[qosClass(b)] || usage(b, now) - usage(a, now),
    );
  }
  return candidates[0];
}

export function runEviction(
  k: KubeletEnv,
  node: KubeObject,
  rt: NodeRuntime,
  pods: KubeObject[],
  runtimes: Map<string, PodRuntime>,
  now: number,
): void {
  if (!evictionDue(rt, now)) return;
  rt.lastEvictionCheck = now;
  const resource = memoryThresholdMet(rt) ? "memory" : "ephemeral-storage";
  const victim = pickVictim(pods, resource, now);
  if (!victim) return;
  const message = evictionMessage(rt, now, resource, victim);
  const src = kubeletSource(k.nodeName);
  k.ctx.events.record(
    node,
    "Warning",
    "EvictionThresholdMet",
    `Attempting to reclaim ${resource}`,
    src,
  );
  const prt = runtimes.get(victim.metadata.uid as string);
  for (const c of prt?.containers.values() ?? [])
    if (c.phase === "running") terminate(c, 137, "Error", now);
  const updated = k.ctx.store.mutate(
    "pods",
    victim.metadata.namespace,
    victim.metadata.name as string,
    (d) => {
      const base = prt ? buildStatus(d, prt, now) : { ...(d.status ?? {}) };
      let conds = base.conditions ?? [];
      const target = {
        type: "DisruptionTarget",
        status: "True",
        reason: "TerminationByKubelet",
        message,
      };
      conds = setCondition(conds, { ...target, lastProbeTime: null }, now);
      for (const type of ["Ready", "ContainersReady"]) {
        conds = setCondition(
          conds,
          { type, status: "False", reason: "PodFailed", lastProbeTime: null },
          now,
        );
      }
      d.status = { ...base, phase: "Failed", reason: "Evicted", message, conditions: conds };
    },
  );
  k.ctx.events.record(updated, "Warning", "Evicted", message, src);
}
