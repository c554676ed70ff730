/**
 * The kubelet eviction manager for nodefs: while nodefs.available is below the hard
 * threshold (10%), evict one pod per monitoring interval (10 s), BestEffort first, then
 * Burstable, then Guaranteed, the heaviest user first; critical pods are never evicted.
 */
import type { KubeObject } from "../../store/types.ts";
import { memoryBytes } from "../../telemetry/usage.ts";
import { type NodeRuntime, nodeFs } from "../node-state.ts";
import { EVICTION_HARD_NODEFS, hasDiskPressure } from "../node-status.ts";
import { isTerminal, qosClass, setCondition } from "../pod-util.ts";
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

function usage(pod: KubeObject, now: number): number {
  return (pod.spec?.containers ?? []).reduce(
    // biome-ignore lint/suspicious/noExplicitAny: container specs are JSON.
    (sum: number, c: any) => sum + memoryBytes(pod, c.name, now),
    0,
  );
}

export function evictionMessage(rt: NodeRuntime, now: number): string {
  const fs = nodeFs(rt, now);
  const threshold = Math.floor(fs.capacity * EVICTION_HARD_NODEFS);
  return `The node was low on resource: ephemeral-storage. Threshold quantity: ${quantity(threshold)}, available: ${quantity(Math.max(0, fs.available))}. `;
}

/** The eviction manager's monitoring interval has come round and the node is under pressure. */
export function evictionDue(rt: NodeRuntime, now: number): boolean {
  return now - rt.lastEvictionCheck >= INTERVAL_MS && hasDiskPressure(rt, now);
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
  const candidates = pods
    .filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp && !isCritical(p))
    .sort((a, b) => QOS_RANK[qosClass(a)] - QOS_RANK[qosClass(b)] || usage(b, now) - usage(a, now));
  const victim = candidates[0];
  if (!victim) return;
  const message = evictionMessage(rt, now);
  k.ctx.events.record(
    node,
    "Warning",
    "EvictionThresholdMet",
    "Attempting to reclaim ephemeral-storage",
    kubeletSource(k.nodeName),
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
      conds = setCondition(
        conds,
        {
          type: "DisruptionTarget",
          status: "True",
          reason: "TerminationByKubelet",
          message,
          lastProbeTime: null,
        },
        now,
      );
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
  k.ctx.events.record(updated, "Warning", "Evicted", message, kubeletSource(k.nodeName));
}
