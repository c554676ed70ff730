/**
 * Pods: which ones a drain may evict (kubectl drain's filters), the blast radius of removing
 * pods from their workloads, delete-pod, and the eviction API with kubectl's retry on 429.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { z } from "zod";
import { OpsloopError } from "../../core/errors.ts";
import type { ObjectRef } from "../../core/types.ts";
import type { BlastRadius } from "../guardrails/policy.ts";
import { apiMessage, httpCode } from "./kube.ts";
import { type ActionContext, DRY, defineAction, ns } from "./types.ts";

const controllerOf = (p: V1Pod) => p.metadata?.ownerReferences?.find((o) => o.controller);

/** kubectl drain's filters: DaemonSet and mirror pods stay; finished pods need no eviction. */
export function evictable(p: V1Pod): boolean {
  if (controllerOf(p)?.kind === "DaemonSet") return false;
  if (p.metadata?.annotations?.["kubernetes.io/config.mirror"]) return false;
  return p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
}

export async function podsOnNode(ctx: ActionContext, node: string): Promise<V1Pod[]> {
  const list = await ctx.kube.core.listPodForAllNamespaces({
    fieldSelector: `spec.nodeName=${node}`,
  });
  return list.items.filter(evictable);
}

/** Pods removed at once, and the largest share of any one workload they are. */
export async function podsBlast(ctx: ActionContext, pods: V1Pod[]): Promise<BlastRadius> {
  if (!pods.length) return { pods: 0, nodes: 0, workloadUnavailableRatio: 0 };
  const all = (await ctx.kube.core.listPodForAllNamespaces({})).items;
  let ratio = 0;
  for (const p of pods) {
    const uid = controllerOf(p)?.uid;
    const siblings = uid
      ? all.filter((q) => controllerOf(q)?.uid === uid && evictable(q)).length
      : 1;
    const removed = uid ? pods.filter((q) => controllerOf(q)?.uid === uid).length : 1;
    ratio = Math.max(ratio, removed / Math.max(siblings, 1));
  }
  return { pods: pods.length, nodes: 0, workloadUnavailableRatio: ratio };
}

/**
 * POST pods/eviction; a 429 means a PodDisruptionBudget forbids it now: retry every `retryMs`
 * (kubectl drain waits 5 s) until `deadline`. A 404 means the pod is already gone.
 */
export async function evict(
  ctx: ActionContext,
  pod: ObjectRef,
  opts: { dryRun: boolean; retryMs: number; deadline: number },
): Promise<"evicted" | "gone" | "blocked"> {
  const body = {
    apiVersion: "policy/v1",
    kind: "Eviction",
    metadata: { name: pod.name, namespace: ns(pod) },
  };
  for (;;) {
    try {
      await ctx.kube.core.createNamespacedPodEviction({
        name: pod.name,
        namespace: ns(pod),
        body,
        dryRun: DRY(opts.dryRun),
      });
      return "evicted";
    } catch (e) {
      const code = httpCode(e);
      if (code === 404) return "gone";
      if (code !== 429)
        throw new OpsloopError(
          "internal",
          `evicting ${pod.namespace}/${pod.name}: ${apiMessage(e)}`,
          { cause: e },
        );
      // A dry run only needs to know it would be blocked now.
      if (opts.dryRun || ctx.wall.now() + opts.retryMs > opts.deadline) return "blocked";
      await ctx.sleep(opts.retryMs);
    }
  }
}

const podRef = (p: V1Pod): ObjectRef => ({
  kind: "Pod",
  namespace: p.metadata?.namespace,
  name: p.metadata?.name ?? "",
  uid: p.metadata?.uid,
});

export { podRef };

async function podState(ctx: ActionContext, t: ObjectRef): Promise<V1Pod | undefined> {
  try {
    return await ctx.kube.core.readNamespacedPod({ namespace: ns(t), name: t.name });
  } catch (e) {
    if (httpCode(e) === 404) return undefined;
    throw e;
  }
}

/** Gone, or replaced by a pod of the same name with another uid (StatefulSets). */
export async function podGone(ctx: ActionContext, t: ObjectRef): Promise<boolean> {
  const p = await podState(ctx, t);
  return !p || (t.uid !== undefined && p.metadata?.uid !== t.uid);
}

export const deletePod = defineAction({
  name: "delete-pod",
  kinds: ["Pod"],
  params: z.object({ gracePeriodSeconds: z.number().int().min(0).optional() }).strict(),
  // A deleted pod cannot be restored; its controller replaces it.
  reversible: false,
  async blast(ctx, t) {
    const p = await podState(ctx, t);
    return p ? podsBlast(ctx, [p]) : { pods: 0, nodes: 0, workloadUnavailableRatio: 0 };
  },
  async snapshot(ctx, t) {
    const p = await podState(ctx, t);
    return { uid: p?.metadata?.uid ?? null, phase: p?.status?.phase ?? null };
  },
  async change(ctx, t, p, snap, dryRun) {
    const uid = (snap as { uid: string | null }).uid;
    if (!uid) return `pod ${t.namespace}/${t.name} is already gone`;
    try {
      await ctx.kube.core.deleteNamespacedPod({
        namespace: ns(t),
        name: t.name,
        dryRun: DRY(dryRun),
        gracePeriodSeconds: p.gracePeriodSeconds,
        // Preconditions make a retry after a crash never delete a replacement pod.
        body: { preconditions: { uid } },
      });
    } catch (e) {
      if (httpCode(e) !== 404 && httpCode(e) !== 409) throw e;
    }
    return `deleted pod ${t.namespace}/${t.name}`;
  },
  async check(ctx, t, _p, snap) {
    const gone = await podGone(ctx, { ...t, uid: (snap as { uid?: string }).uid ?? t.uid });
    return { done: gone, message: gone ? "pod is gone" : "pod is terminating" };
  },
  async rollback() {
    return "a deleted pod cannot be restored; its controller recreates it";
  },
});
