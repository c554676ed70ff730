/**
 * The node lifecycle controller's pod side: mark pods NotReady when their node stops
 * reporting, and the taint eviction controller deleting pods that do not tolerate a NoExecute
 * taint (after tolerationSeconds). Pods without an explicit toleration for not-ready or
 * unreachable get 300 s, as the DefaultTolerationSeconds admission plugin would add.
 */
import type { SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import {
  type Condition,
  setCondition,
  type Taint,
  type Toleration,
  tolerates,
} from "./pod-util.ts";

const DEFAULT_TOLERATION_SECONDS = 300;
const DEFAULTED = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

export function podsOnNode(ctx: SimContext, nodeName: string): KubeObject[] {
  return ctx.store.list("pods").filter((p) => p.spec?.nodeName === nodeName);
}

export function markPodsNotReady(ctx: SimContext, nodeName: string, now: number): void {
  for (const pod of podsOnNode(ctx, nodeName)) {
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") continue;
    const updated = ctx.store.mutate(
      "pods",
      pod.metadata.namespace,
      pod.metadata.name as string,
      (d) => {
        d.status = { ...(d.status ?? {}) };
        let conds = (d.status.conditions ?? []) as Condition[];
        for (const type of ["Ready", "ContainersReady"]) {
          if (!conds.some((c) => c.type === type)) continue;
          conds = setCondition(conds, { type, status: "False", lastProbeTime: null }, now);
        }
        d.status.conditions = conds;
      },
    );
    ctx.events.record(updated, "Warning", "NodeNotReady", "Node is not ready", {
      component: "node-controller",
    });
  }
}

/** When (ms) the pod must go because of this taint; undefined = tolerated for ever. */
function deadline(pod: KubeObject, taint: Taint): number | undefined {
  const added = taint.timeAdded ? Date.parse(taint.timeAdded) : 0;
  const tol: Toleration | undefined = tolerates(pod.spec?.tolerations, taint);
  if (!tol)
    return DEFAULTED.includes(taint.key) ? added + DEFAULT_TOLERATION_SECONDS * 1000 : added;
  if (tol.tolerationSeconds === undefined) return undefined;
  return added + Math.max(0, tol.tolerationSeconds) * 1000;
}

export function evictForTaints(ctx: SimContext, node: KubeObject, now: number): void {
  const taints = ((node.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === "NoExecute");
  if (!taints.length) return;
  for (const pod of podsOnNode(ctx, node.metadata.name as string)) {
    if (pod.metadata.deletionTimestamp) continue;
    const times = taints.map((t) => deadline(pod, t)).filter((t): t is number => t !== undefined);
    if (!times.length || now < Math.min(...times)) continue;
    const ns = pod.metadata.namespace as string;
    ctx.events.record(
      pod,
      "Normal",
      "TaintManagerEviction",
      `Marking for deletion Pod ${ns}/${pod.metadata.name}`,
      {
        component: "taint-eviction-controller",
      },
    );
    // Since 1.26 the controller first records why the pod is going (PodDisruptionConditions).
    ctx.store.mutate("pods", ns, pod.metadata.name as string, (d) => {
      d.status = { ...(d.status ?? {}) };
      d.status.conditions = setCondition(
        d.status.conditions ?? [],
        {
          type: "DisruptionTarget",
          status: "True",
          reason: "DeletionByTaintManager",
          message: "Taint manager: deleting due to NoExecute taint",
          lastProbeTime: null,
        },
        now,
      );
    });
    ctx.store.delete("pods", ns, pod.metadata.name as string);
  }
}
